//! What processes cost, from /proc: their proportional set size (memory), and the CPU time
//! they have used.

use std::collections::HashMap;

/// PSS in KiB of `root` and all its descendants, and how many processes that was.
pub(crate) fn pss_tree_kib(root: u32) -> (u64, usize) {
    let tree = tree(root);
    (pss_sum_kib(&tree), tree.len())
}

/// Web engines already running (WebKit's processes, Chromium, a window of this app): they map
/// the libraries the measured windows map, so while they run every PSS figure reads low.
pub(crate) fn engines_running() -> Vec<u32> {
    let engine = |name: &str| {
        ["WebKit", "chromium", "screenpop-desk", "floor"]
            .iter()
            .any(|e| name.starts_with(e))
    };
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // A zombie maps nothing.
            let alive = stat
                .rsplit_once(')')
                .is_some_and(|(_, rest)| !rest.starts_with(" Z"));
            let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            alive && engine(name.trim())
        })
        .collect()
}

/// The summed PSS in KiB of `pids` (one gone meanwhile counts nothing).
pub(crate) fn pss_sum_kib(pids: &[u32]) -> u64 {
    pids.iter().filter_map(|pid| pss_kib(*pid)).sum()
}

/// The CPU time (user and system) each process of `root`'s tree has used, in milliseconds,
/// over all its threads, by the process's name (`/proc/…/comm`): the scheduler's own nanosecond
/// count where the kernel shows it (`/proc/…/sched`), else the 10 ms ticks of `/proc/…/stat`.
pub(crate) fn cpu_by_process_ms(root: u32) -> Vec<(String, f64)> {
    tree(root)
        .into_iter()
        .map(|pid| {
            let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            (name.trim().to_owned(), cpu_ms(pid))
        })
        .collect()
}

fn cpu_ms(pid: u32) -> f64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0.0;
    };
    tasks
        .flatten()
        .map(|task| {
            let dir = task.path();
            std::fs::read_to_string(dir.join("sched"))
                .ok()
                .and_then(|sched| {
                    sched
                        .lines()
                        .find_map(|l| l.strip_prefix("se.sum_exec_runtime"))
                        .and_then(|v| v.trim_start_matches([' ', ':']).trim().parse().ok())
                })
                .or_else(|| ticks_ms(&std::fs::read_to_string(dir.join("stat")).ok()?))
                .unwrap_or(0.0)
        })
        .sum()
}

/// utime + stime from a `stat` line, in milliseconds (USER_HZ is 100 on Linux).
fn ticks_ms(stat: &str) -> Option<f64> {
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) * 10.0)
}

/// `root` and all its descendants.
pub(crate) fn tree(root: u32) -> Vec<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        if let Some(ppid) = parent_of(pid) {
            children.entry(ppid).or_default().push(pid);
        }
    }
    let (mut all, mut todo) = (Vec::new(), vec![root]);
    while let Some(pid) = todo.pop() {
        if std::path::Path::new(&format!("/proc/{pid}")).exists() {
            all.push(pid);
        }
        todo.extend(children.get(&pid).into_iter().flatten());
    }
    all
}

fn parent_of(pid: u32) -> Option<u32> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("PPid:"))
        .and_then(|v| v.trim().parse().ok())
}

fn pss_kib(pid: u32) -> Option<u64> {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    rollup
        .lines()
        .find_map(|l| l.strip_prefix("Pss:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_read_after_the_command_name_whatever_it_holds() {
        let stat = "42 (Web Content (x)) S 1 42 42 0 -1 4194560 10 0 0 0 7 3 0 0 20 0 1 0";
        assert_eq!(ticks_ms(stat), Some(100.0));
        assert_eq!(ticks_ms("42 (short) S"), None);
    }

    #[test]
    fn this_process_is_seen_using_cpu() {
        let me = std::process::id();
        let cpu = || cpu_by_process_ms(me).iter().map(|(_, ms)| ms).sum::<f64>();
        let before = cpu();
        let until = std::time::Instant::now() + std::time::Duration::from_millis(60);
        let mut spin = 0u64;
        while std::time::Instant::now() < until {
            spin = spin.wrapping_add(1);
        }
        assert!(spin > 0);
        let used = cpu() - before;
        assert!(used >= 30.0, "{used} ms");
        assert!(pss_tree_kib(me).0 > 0);
    }
}
