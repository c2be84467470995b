//! An SMTP sink on loopback for the tests (in progress).
