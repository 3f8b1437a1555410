//! Resolving and linking 1, 10 and 100 mixed inputs, against two baselines
//! measured in the same run: building a link from already-known scopes, and
//! one exact name lookup; and the cold path of `POST /v1/links` without
//! HTTP: resolving 1, 5 and 100 `METHOD /path` inputs and writing the JSON
//! answer, as the server does with its answer cache off (with the memo of
//! exact inputs the server makes at start-up, and without).

use criterion::{
    black_box, criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput,
};
use scopelink::catalog::Catalog;
use scopelink::link::{CompactReport, LinkBase, LinkReport};
use scopelink::resolve::{ExactInputs, InputItem, ResolveOptions, StructuredInput};
use scopelink::scope::Scope;

/// Every input form the resolver takes, valid, plus one failing item in ten.
fn mixed_inputs(count: usize) -> Vec<InputItem> {
    let forms: Vec<InputItem> = vec![
        "GET /api/profiles/{id}?include=lists,segments".into(),
        "get_campaigns".into(),
        "POST https://a.klaviyo.com/api/lists/".into(),
        "klaviyo.Profiles.get_profiles_with_http_info".into(),
        "ProfilesApi.getProfiles".into(),
        "$klaviyo->Lists->getListsAsync".into(),
        "KlaviyoAPI::Campaigns.get_campaigns".into(),
        "GET /api/catalog-items/%24custom%3A%3A%3A%24default%3A%3A%3ASKU-1".into(),
        InputItem::Structured(StructuredInput {
            operation: "get_event".into(),
            include: vec!["metric".into(), "profile".into()],
        }),
        "get_profils".into(),
    ];
    forms.iter().cycle().take(count).cloned().collect()
}

fn bench(c: &mut Criterion) {
    let catalog = Catalog::embedded();
    let base = LinkBase::default();
    let mut group = c.benchmark_group("resolve_and_link");
    let scopes: Vec<Scope> = [
        "campaigns:read",
        "lists:read",
        "lists:write",
        "profiles:read",
        "segments:read",
    ]
    .map(|text| Scope::parse(text).expect("a scope"))
    .to_vec();
    group.bench_function("baseline_link_from_known_scopes", |b| {
        b.iter(|| base.url_for(black_box(&scopes)))
    });
    group.bench_function("baseline_name_lookup", |b| {
        b.iter(|| catalog.by_name(black_box("get_profiles")))
    });
    for count in [1, 10, 100] {
        let inputs = mixed_inputs(count);
        group.throughput(Throughput::Elements(count as u64));
        group.bench_with_input(
            BenchmarkId::new("mixed_inputs", count),
            &inputs,
            |b, inputs| {
                b.iter(|| {
                    LinkReport::build(
                        &catalog,
                        &base,
                        black_box(inputs),
                        ResolveOptions::default(),
                    )
                })
            },
        );
    }
    group.bench_function("catalog_embedded_load", |b| b.iter(Catalog::embedded));
    group.bench_function("catalog_prepare_exact_inputs", |b| {
        b.iter_batched(
            Catalog::embedded,
            |catalog| ExactInputs::of(&catalog).len(),
            BatchSize::LargeInput,
        )
    });
    group.finish();

    let mut cold = c.benchmark_group("cold_answer");
    let memo = ExactInputs::of(&catalog);
    let endpoints: Vec<InputItem> = catalog
        .operations()
        .iter()
        .filter(|op| !op.is_beta() && !op.client)
        .map(|op| InputItem::Text(op.endpoint()))
        .collect();
    for count in [1, 5, 100] {
        let inputs = &endpoints[..count];
        cold.throughput(Throughput::Elements(count as u64));
        for (name, exact_inputs) in [
            ("resolve_and_write_json", None),
            ("resolve_and_write_json_as_served", Some(&memo)),
        ] {
            let options = ResolveOptions {
                exact_inputs,
                ..ResolveOptions::default()
            };
            cold.bench_with_input(BenchmarkId::new(name, count), inputs, |b, inputs| {
                b.iter(|| {
                    let inputs = black_box(inputs);
                    CompactReport::build(&catalog, &base, inputs, options).to_json(inputs)
                })
            });
        }
    }
    cold.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
