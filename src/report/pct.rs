//! Percentages in words that never misstate a count or a threshold: a share that is not
//! 0 or all never prints as `0.0%` or `100.0%`, and a value compared with a threshold is
//! printed with as many decimals as it takes to stay on its side of it (`99.985% is below
//! 99.99%`, never `100.0% is below 99.99%`).

/// `n` of `total` as a percentage with one decimal; a share strictly between none and all
/// stays strictly between `0.0%` and `100.0%` (floored to `0.1` / capped at `99.9`).
pub fn share(n: u64, total: u64) -> String {
    if total == 0 {
        return "0.0%".to_string();
    }
    let p = 100.0 * n as f64 / total as f64;
    let p = if n > 0 && n < total {
        p.clamp(0.1, 99.9)
    } else {
        p
    };
    format!("{p:.1}%")
}

/// `value` (a percentage) written with the fewest decimals (1 to 6) that keep it on the
/// same side of `threshold` as the exact value (above when `value > threshold`, below when
/// `value < threshold`) and off `0%` / `100%` unless it is there. Equal values print with
/// one decimal.
pub fn versus(value: f64, threshold: f64) -> String {
    if value == threshold || !value.is_finite() || !threshold.is_finite() {
        return format!("{value:.1}%");
    }
    for d in 1..=6 {
        let s = format!("{value:.d$}");
        if let Ok(shown) = s.parse::<f64>() {
            // Nor may rounding reach an end the value is not at (`100.0%` for 99.995%).
            let ends = (shown == 100.0 && value != 100.0) || (shown == 0.0 && value != 0.0);
            if (value > threshold) == (shown > threshold) && shown != threshold && !ends {
                return format!("{s}%");
            }
        }
    }
    format!("{value}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_never_reach_the_ends_unless_they_are_there() {
        assert_eq!(share(0, 10), "0.0%");
        assert_eq!(share(10, 10), "100.0%");
        assert_eq!(share(1, 100_000), "0.1%");
        assert_eq!(share(99_999, 100_000), "99.9%");
        assert_eq!(share(100_729, 104_960), "96.0%");
        assert_eq!(share(3, 0), "0.0%");
    }

    #[test]
    fn values_stay_on_their_side_of_the_threshold() {
        assert_eq!(versus(99.985, 99.99), "99.98%");
        assert_eq!(versus(99.995, 99.99), "99.995%");
        assert_eq!(versus(99.9999, 99.99), "99.9999%");
        assert_eq!(versus(96.0, 5.0), "96.0%");
        assert_eq!(versus(5.04, 5.0), "5.04%");
        assert_eq!(versus(4.96, 5.0), "4.96%");
        assert_eq!(versus(5.0, 5.0), "5.0%");
    }
}
