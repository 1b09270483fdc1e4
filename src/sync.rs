//! Lock helpers, so poisoning is explained once.
//!
//! A lock is poisoned when a thread panicked while holding it. Everywhere in this crate a
//! guarded value is updated by single assignments or whole-entry pushes and replacements, never
//! left half-written across a call that can panic, so the value behind a poisoned lock is still
//! consistent: these helpers take it as it is instead of propagating the panic into every other
//! test thread (a panicking scripted worker must fail its own test, not every later call).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Locks `m`, ignoring poisoning (see the module doc).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Read-locks `l`, ignoring poisoning (see the module doc).
pub(crate) fn read<T>(l: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|e| e.into_inner())
}

/// Write-locks `l`, ignoring poisoning (see the module doc).
pub(crate) fn write<T>(l: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|e| e.into_inner())
}

/// Takes the value out of a mutex, ignoring poisoning (see the module doc).
pub(crate) fn into_inner<T>(m: Mutex<T>) -> T {
    m.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// Values made once from their source text and shared after (parsed JSONata expressions, Task
/// resources: issue 13): a read lock on the common path, a write only for a text not seen
/// before. Only values that were made are kept.
#[derive(Debug)]
pub(crate) struct ByText<V>(RwLock<HashMap<Box<str>, V, foldhash::fast::RandomState>>);

impl<V> Default for ByText<V> {
    fn default() -> Self {
        ByText(RwLock::new(HashMap::default()))
    }
}

impl<V: Clone> ByText<V> {
    /// The value of `text`, made by `make` the first time (an error is not kept).
    pub(crate) fn get_or_try<E>(
        &self,
        text: &str,
        make: impl FnOnce(&str) -> Result<V, E>,
    ) -> Result<V, E> {
        if let Some(v) = read(&self.0).get(text) {
            return Ok(v.clone());
        }
        let v = make(text)?;
        write(&self.0)
            .entry(text.into())
            .or_insert_with(|| v.clone());
        Ok(v)
    }

    /// How many values are kept.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        read(&self.0).len()
    }
}
