//! The human-readable log line: the stock full format, with the request being
//! handled where the stock format puts spans.

use std::fmt;

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::{Format, Full, Writer};
use tracing_subscriber::fmt::time::{FormatTime, SystemTime};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields};
use tracing_subscriber::registry::LookupSpan;

use super::request_scope::RequestScope;

/// The human-readable line: the stock full format, with the request (if one
/// is being handled and no span is open) where the stock format puts spans.
pub(super) struct PrettyLine {
    stock: Format<Full, SystemTime>,
}

impl PrettyLine {
    pub(super) fn new() -> PrettyLine {
        PrettyLine {
            stock: tracing_subscriber::fmt::format().with_target(false),
        }
    }
}

impl<S, N> FormatEvent<S, N> for PrettyLine
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'w> FormatFields<'w> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        // A root event names no span in this format, nor the request.
        if event.is_root() {
            return self.stock.format_event(ctx, writer, event);
        }
        let Some(result) = RequestScope::with_current(|request| -> fmt::Result {
            let ansi = writer.has_ansi_escapes();
            SystemTime.format_time(&mut writer)?;
            let level = *event.metadata().level();
            if ansi {
                let colour = match level {
                    Level::TRACE => "35",
                    Level::DEBUG => "34",
                    Level::INFO => "32",
                    Level::WARN => "33",
                    Level::ERROR => "31",
                };
                write!(writer, " \x1b[{colour}m{level:>5}\x1b[0m ")?;
            } else {
                write!(writer, " {level:>5} ")?;
            }
            write_request(request, &mut writer)?;
            writer.write_char(':')?;
            // Spans opened inside the request, outermost first, as the stock format does.
            for span in ctx
                .event_scope()
                .into_iter()
                .flat_map(|scope| scope.from_root())
            {
                write_bold(&mut writer, ansi, span.metadata().name())?;
                let extensions = span.extensions();
                if let Some(fields) = extensions.get::<FormattedFields<N>>() {
                    if !fields.is_empty() {
                        write_bold(&mut writer, ansi, "{")?;
                        writer.write_str(fields)?;
                        write_bold(&mut writer, ansi, "}")?;
                    }
                }
                writer.write_char(':')?;
            }
            writer.write_char(' ')?;
            ctx.format_fields(writer.by_ref(), event)?;
            writeln!(writer)
        }) else {
            return self.stock.format_event(ctx, writer, event);
        };
        result
    }
}

fn write_bold(writer: &mut Writer<'_>, ansi: bool, text: &str) -> fmt::Result {
    if ansi {
        write!(writer, "\x1b[1m{text}\x1b[0m")
    } else {
        writer.write_str(text)
    }
}

/// `request{method=GET route=/x request_id=… status=200}` as the full format prints a span.
fn write_request(request: &RequestScope, writer: &mut Writer<'_>) -> fmt::Result {
    let ansi = writer.has_ansi_escapes();
    write_bold(writer, ansi, "request")?;
    write_bold(writer, ansi, "{")?;
    write!(
        writer,
        "method={} route={} request_id={}",
        request.method(),
        request.route(),
        request.request_id()
    )?;
    if let Some(status) = request.status() {
        write!(writer, " status={status}")?;
    }
    write_bold(writer, ansi, "}")
}
