//! Helpers for the end-to-end tests.

pub mod smtp;
