//! Scopelink: the least-privilege Klaviyo private API key link for the API
//! operations an integration calls, with the reason for every scope.
//!
//! The core ([`catalog`], [`resolve`], [`link`]) knows nothing of HTTP or the
//! command line; [`cli`] and [`http`] are thin front ends over it, so every
//! front end gives the same answer.

pub mod audit;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod docs;
pub mod excerpt;
pub mod form_text;
pub mod healthcheck;
pub mod http;
pub mod json_text;
pub mod link;
pub mod mcp;
pub mod oauth;
pub mod resolve;
pub mod retired;
pub mod scan;
pub mod scope;
pub mod secret;
pub mod telemetry;
pub mod traffic;
pub mod web;
