//! Certificates (in progress).
