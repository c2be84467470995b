//! How the binaries set up their process: the allocator and the async runtime.

/// Caps glibc's malloc at two arenas. By default each thread that allocates may get an arena of
/// its own (up to eight per core), and the runtime's blocking threads, which render PDFs and
/// write e-mails, each keep freed memory in theirs, so resident memory climbs with the work
/// done. With two it stays flat: a 20,000 candidate demo peaks at 34 MiB instead of 47 MiB.
/// The binaries call this first thing; elsewhere it does nothing.
pub fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; it is called before any other thread.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Lets a closed pipe end the process quietly, as it ends `cat` or `grep`: with the signal's
/// default action restored, `avala … | head -2` stops when `head` has read enough, instead of
/// failing (or panicking) on the next write to a pipe nobody reads. The binaries call this
/// first thing.
pub fn quit_quietly_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: restores the default disposition of one signal, before any other thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// The async runtime both binaries run on: one thread runs every task, and the blocking pool
/// (rendering PDFs, formatting and writing e-mails) runs on all the CPUs the process may use.
///
/// The task thread is kept on the CPU it starts on, and so are the threads it starts itself:
/// sqlx runs each SQLite connection on a thread of its own, and every statement is a hand-off
/// between that thread and the task's. Between two CPUs each hand-off wakes the other CPU (on
/// a virtual machine, an exit to the hypervisor); on one it is a plain switch. On the 2-core
/// CI machine a 10,000 candidate demo took 54 s with the threads free to move (and 53 s on a
/// one-thread runtime alone) and about 32 s with them kept together (see ARCHITECTURE.md).
/// Blocking threads undo the pinning as they start. Where the CPU cannot be read or set (not
/// Linux, or a single CPU), the runtime is the same and nothing is pinned.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    let mut builder = tokio::runtime::Builder::new_current_thread();
    builder.enable_all();
    #[cfg(target_os = "linux")]
    if let Some(all) = affinity::pin_to_current_cpu() {
        builder.on_thread_start(move || affinity::set(&all));
    }
    builder.build()
}

#[cfg(target_os = "linux")]
mod affinity {
    use std::mem::{size_of, zeroed};

    /// Keeps the calling thread (and the threads it will start) on the CPU it runs on; returns
    /// the CPUs it could use before, or None when there was no choice to make.
    pub fn pin_to_current_cpu() -> Option<libc::cpu_set_t> {
        // SAFETY: cpu_set_t is plain data; the calls read and write only the sets given, for
        // the calling thread (pid 0).
        unsafe {
            let mut all: libc::cpu_set_t = zeroed();
            if libc::sched_getaffinity(0, size_of::<libc::cpu_set_t>(), &mut all) != 0 || libc::CPU_COUNT(&all) < 2 {
                return None;
            }
            let cpu = usize::try_from(libc::sched_getcpu()).ok()?;
            let mut one: libc::cpu_set_t = zeroed();
            libc::CPU_SET(cpu, &mut one);
            (libc::sched_setaffinity(0, size_of::<libc::cpu_set_t>(), &one) == 0).then_some(all)
        }
    }

    /// Lets the calling thread run on `cpus`.
    pub fn set(cpus: &libc::cpu_set_t) {
        // SAFETY: as above; a failure leaves the thread where it was, which is only slower.
        unsafe {
            libc::sched_setaffinity(0, size_of::<libc::cpu_set_t>(), cpus);
        }
    }
}

/// Runs `work` on each item on the blocking pool, the items split into one run per CPU, and
/// gives the results in the items' order. A batch of certificates or e-mails thus costs one
/// hand-off per CPU rather than one per item, and never more threads or PDFs in flight than
/// there are CPUs. Where one item's work panics, that item's result is an `Err` with the
/// panic's message and the others of its run go on.
pub async fn spread<T, R, F>(items: Vec<T>, work: F) -> Vec<std::result::Result<R, String>>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(T) -> R + Clone + Send + 'static,
{
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_run = items.len().div_ceil(cpus).max(1);
    let mut items = items.into_iter().peekable();
    let mut runs = Vec::with_capacity(cpus);
    while items.peek().is_some() {
        let chunk: Vec<T> = items.by_ref().take(per_run).collect();
        let (work, n) = (work.clone(), chunk.len());
        runs.push((
            n,
            tokio::task::spawn_blocking(move || {
                chunk
                    .into_iter()
                    .map(|item| {
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(item)))
                            .map_err(|panic| panic_message(&*panic))
                    })
                    .collect::<Vec<_>>()
            }),
        ));
    }
    let mut out = Vec::new();
    for (n, run) in runs {
        match run.await {
            Ok(results) => out.extend(results),
            Err(e) => out.extend((0..n).map(|_| Err(format!("the blocking task failed: {e}")))),
        }
    }
    out
}

/// What a caught panic said (its message, when it has one).
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    match (payload.downcast_ref::<&str>(), payload.downcast_ref::<String>()) {
        (Some(s), _) => format!("panicked: {s}"),
        (_, Some(s)) => format!("panicked: {s}"),
        _ => "panicked".into(),
    }
}

#[cfg(test)]
mod tests {
    /// A panic in one item's work fails that item alone; the rest of its run goes on.
    #[test]
    fn a_panic_fails_its_item_alone() {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let results = runtime.block_on(super::spread((0..9).collect(), |i: i32| {
            if i == 4 {
                panic!("item {i} is bad");
            }
            i * 10
        }));
        assert_eq!(results.len(), 9);
        for (i, result) in results.iter().enumerate() {
            match result {
                Ok(v) => assert_eq!(*v, i as i32 * 10),
                Err(e) => assert!(i == 4 && e == "panicked: item 4 is bad", "{i}: {e}"),
            }
        }
        assert!(results[4].is_err());
    }

    /// Blocking work may run anywhere; the task thread stays on one CPU.
    #[test]
    fn blocking_threads_are_not_kept_on_the_task_cpu() {
        let count = || {
            // SAFETY: reads the calling thread's CPU set.
            unsafe {
                let mut set: libc::cpu_set_t = std::mem::zeroed();
                libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set);
                libc::CPU_COUNT(&set)
            }
        };
        // Run on a thread of its own: the runtime pins the thread that builds it.
        std::thread::spawn(move || {
            let before = count();
            let runtime = super::runtime().unwrap();
            let (task, blocking) = runtime.block_on(async move {
                let blocking = tokio::task::spawn_blocking(count).await.unwrap();
                (count(), blocking)
            });
            assert_eq!(blocking, before, "a blocking thread may use every CPU the process may");
            assert_eq!(
                task,
                if before > 1 { 1 } else { before },
                "the task thread stays on one CPU"
            );
            // A thread the task thread starts itself (as sqlx does for each SQLite connection)
            // shares its CPU.
            assert_eq!(std::thread::spawn(count).join().unwrap(), task);
        })
        .join()
        .unwrap();
    }

    /// Every item is worked on once and the results keep the items' order.
    #[test]
    fn spread_keeps_order() {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        for n in [0usize, 1, 2, 3, 17, 64] {
            let out = runtime.block_on(super::spread((0..n).collect(), |i| i * 10));
            let out: Vec<usize> = out.into_iter().map(Result::unwrap).collect();
            assert_eq!(out, (0..n).map(|i| i * 10).collect::<Vec<_>>());
        }
    }
}
