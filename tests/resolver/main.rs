//! Tests of the scope engine against Klaviyo's own specs in `../shared`:
//! every operation, every name, every include value, every error.

mod catalog_table;
mod cli;
mod errors;
mod includes;
mod operations;
mod spec;
