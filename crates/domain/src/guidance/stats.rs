//! Robust summaries: the median and the median absolute deviation.

/// The median of some numbers, or `None` for none.
pub(crate) fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let mid = n / 2;
    match n {
        0 => None,
        _ if n % 2 == 1 => sorted.get(mid).copied(),
        _ => Some((sorted.get(mid - 1)? + sorted.get(mid)?) / 2.0),
    }
}

/// The median absolute deviation from `centre`, or `None` for no numbers.
pub(crate) fn median_absolute_deviation(values: &[f64], centre: f64) -> Option<f64> {
    let deviations: Vec<f64> = values.iter().map(|v| (v - centre).abs()).collect();
    median(&deviations)
}

/// The mean of some numbers, or `None` for none.
pub(crate) fn mean(values: impl IntoIterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values
        .into_iter()
        .fold((0.0, 0u32), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / f64::from(n))
}

/// Rounds to two decimals for evidence shown to people.
pub(crate) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0]), Some(3.0));
        assert_eq!(median(&[5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 8.0]), Some(3.5));
    }

    #[test]
    fn mad_of_a_small_sample() {
        let v = [1.0, 1.0, 2.0, 2.0, 4.0, 6.0, 9.0];
        let m = median(&v).unwrap();
        assert_eq!(m, 2.0);
        assert_eq!(median_absolute_deviation(&v, m), Some(1.0));
    }

    #[test]
    fn rounding() {
        assert_eq!(round2(10.0 / 3.0), 3.33);
        assert_eq!(round2(7.0), 7.0);
    }
}
