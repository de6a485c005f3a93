//! Numbers as C++'s `ostream` prints them: `%g` with six significant digits
//! ([`fmt_g`]) and x86-64's division by zero ([`div_x86`]), for output that
//! must match Ceph's tools character for character.

/// A C++ `float`/`double` as `ostream` prints it by default: six significant
/// digits, trailing zeros dropped, exponent form below `1e-4` or from `1e6`
/// (printf's `%g`).
pub fn fmt_g(v: f64) -> String {
    if v == 0.0 {
        return "0".to_string();
    }
    if !v.is_finite() {
        // glibc prints a NaN's sign: x86-64's default NaN (0/0) is negative.
        let sign = if v.is_sign_negative() { "-" } else { "" };
        return if v.is_nan() {
            format!("{sign}nan")
        } else {
            format!("{sign}inf")
        };
    }
    let exp = v.abs().log10().floor() as i32;
    // Round to six significant digits first: the rounding can move the exponent.
    let sci = format!("{v:.5e}");
    let (mantissa, e) = sci.split_once('e').unwrap_or((&sci, "0"));
    let e: i32 = e.parse().unwrap_or(exp);
    if !(-4..6).contains(&e) {
        let m = trim_zeros(mantissa);
        let sign = if e < 0 { '-' } else { '+' };
        return format!("{m}e{sign}{:02}", e.abs());
    }
    let decimals = usize::try_from(5 - e).unwrap_or(0);
    trim_zeros(&format!("{v:.decimals$}")).to_string()
}

/// `a / b` as x86-64 computes it in C++: IEEE division whose invalid
/// results (0/0, NaN operands) are the processor's default NaN, which is
/// negative. Tools print these (`-nan`), so the sign must not depend on the
/// platform or on constant folding.
pub fn div_x86(a: f64, b: f64) -> f64 {
    let q = a / b;
    if q.is_nan() {
        f64::from_bits(0xfff8_0000_0000_0000)
    } else {
        q
    }
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fmt_g_matches_printf() {
        for (v, s) in [
            (1.0, "1"),
            (0.5, "0.5"),
            (45875.0 / 65536.0, "0.699997"),
            (0.95f32 as f64, "0.95"),
            (123456.0, "123456"),
            (1234567.0, "1.23457e+06"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (8192.0 / 65536.0, "0.125"),
        ] {
            assert_eq!(fmt_g(v), s, "{v}");
        }
    }

    #[test]
    fn invalid_quotients_print_as_glibc_on_x86_64() {
        assert_eq!(fmt_g(div_x86(0.0, 0.0)), "-nan");
        assert_eq!(fmt_g(div_x86(1.0, 0.0)), "inf");
        assert_eq!(fmt_g(div_x86(3.0, 2.0)), "1.5");
    }
}
