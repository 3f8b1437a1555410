//! The library against Klaviyo's own specs in `../shared`: every operation,
//! name, include value and error, the catalog table, properties of the parser
//! and link builder, and the cores of the audit and of traffic reading.

#[path = "../common/mod.rs"]
mod common;

mod audit;
mod catalog_table;
mod errors;
mod exact_inputs;
mod includes;
mod operations;
mod properties;
mod traffic;
