//! Proportional set size of a process and everything it started, from /proc.

use std::collections::HashMap;

/// PSS in KiB of `root` and all its descendants, and how many processes that was.
pub(crate) fn pss_tree_kib(root: u32) -> (u64, usize) {
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
    let (mut total, mut count, mut todo) = (0, 0, vec![root]);
    while let Some(pid) = todo.pop() {
        if let Some(kib) = pss_kib(pid) {
            total += kib;
            count += 1;
        }
        todo.extend(children.get(&pid).into_iter().flatten());
    }
    (total, count)
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
