//! State machines (in progress).
