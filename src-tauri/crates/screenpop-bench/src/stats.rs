//! Medians, percentiles and spreads of samples in milliseconds.

/// A summary of samples.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Summary {
    /// How many samples.
    pub(crate) n: usize,
    /// Median.
    pub p50: f64,
    /// 95th percentile (nearest rank).
    pub p95: f64,
    /// 99th percentile (nearest rank).
    pub(crate) p99: f64,
    /// Smallest.
    pub(crate) min: f64,
    /// Largest.
    pub(crate) max: f64,
}

impl Summary {
    /// Summarises `samples`; `None` when there are none.
    pub(crate) fn of(samples: &[f64]) -> Option<Self> {
        let mut s: Vec<f64> = samples.iter().copied().filter(|v| v.is_finite()).collect();
        if s.is_empty() {
            return None;
        }
        s.sort_by(f64::total_cmp);
        let rank = |p: f64| s[((p * s.len() as f64).ceil() as usize).clamp(1, s.len()) - 1];
        Some(Self {
            n: s.len(),
            p50: median(&s),
            p95: rank(0.95),
            p99: rank(0.99),
            min: s[0],
            max: s[s.len() - 1],
        })
    }

    /// `p50 (min–max)`, the form the table uses.
    pub(crate) fn spread(&self, unit: &str) -> String {
        format!(
            "{} {unit} ({}–{}, n={})",
            fmt(self.p50),
            fmt(self.min),
            fmt(self.max),
            self.n
        )
    }
}

fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// A number with precision that suits its size.
pub(crate) fn fmt(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let s: Vec<f64> = (1..=100).map(f64::from).collect();
        let sum = Summary::of(&s).unwrap();
        assert_eq!(sum.p50, 50.5);
        assert_eq!(sum.p95, 95.0);
        assert_eq!((sum.min, sum.max, sum.n), (1.0, 100.0, 100));
        assert!(Summary::of(&[]).is_none());
        assert_eq!(Summary::of(&[3.0, 1.0, 2.0]).unwrap().p50, 2.0);
    }
}
