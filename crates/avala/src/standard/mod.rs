//! Standards as data (in progress).
