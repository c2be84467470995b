//! Synthetic cohorts (in progress).
