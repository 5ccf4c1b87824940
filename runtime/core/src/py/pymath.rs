//! Integer builtins and `math` functions with CPython 3.11's exact results
//! and errors: three-argument `pow`, `math.gcd`/`lcm`/`isqrt`/`comb`/
//! `perm`/`factorial`, `int.bit_length`/`bit_count`, `bin`/`oct`/`hex`,
//! and `math.hypot` by CPython's own algorithm (not libm's `hypot`, from
//! which it differs in the last bit now and then). An int result outside
//! `i64` is Roast's `OverflowError` ([`PyErr::int_overflow`]).

use super::PyErr;

/// An exact result as an `i64`, or Roast's overflow error.
fn fit(v: i128) -> Result<i64, PyErr> {
    i64::try_from(v).map_err(|_| PyErr::int_overflow())
}

/// `pow(base, exp, modulus)`: `ValueError` for a zero modulus, and for a
/// negative exponent of a base with no inverse; the result has the
/// modulus's sign (`pow(3, 5, -7)` is -2).
pub fn pow_mod(base: i64, exp: i64, modulus: i64) -> Result<i64, PyErr> {
    if modulus == 0 {
        return Err(PyErr::value_error("pow() 3rd argument cannot be 0"));
    }
    let m = modulus.unsigned_abs();
    let mut b = i128::from(base).rem_euclid(i128::from(m)) as u64;
    if exp < 0 {
        b = inverse(i128::from(b), i128::from(m))
            .ok_or_else(|| PyErr::value_error("base is not invertible for the given modulus"))?
            as u64;
    }
    // Square and multiply; a product of two residues below 2**32 fits in
    // a u64, larger ones are reduced in u128.
    let mul = |x: u64, y: u64| -> u64 {
        if m <= 1 << 32 {
            x * y % m
        } else {
            (u128::from(x) * u128::from(y) % u128::from(m)) as u64
        }
    };
    let mut e = exp.unsigned_abs();
    let mut r = 1 % m;
    while e > 0 {
        if e & 1 == 1 {
            r = mul(r, b);
        }
        b = mul(b, b);
        e >>= 1;
    }
    let r = i128::from(r);
    fit(if modulus < 0 && r != 0 {
        r - i128::from(m)
    } else {
        r
    })
}

/// The inverse of `a` modulo `m` (`0 <= a < m`), when `gcd(a, m) == 1`.
fn inverse(a: i128, m: i128) -> Option<i128> {
    // Extended Euclid, tracking the coefficient of `a`.
    let (mut r0, mut r1, mut s0, mut s1) = (m, a, 0i128, 1i128);
    while r1 != 0 {
        let q = r0 / r1;
        (r0, r1) = (r1, r0 - q * r1);
        (s0, s1) = (s1, s0 - q * s1);
    }
    (r0 == 1).then(|| s0.rem_euclid(m))
}

/// `math.gcd(*values)`: never negative; 0 for no values or all zeros.
pub fn gcd(values: &[i64]) -> Result<i64, PyErr> {
    let mut g = 0u64;
    for &v in values {
        let (mut a, mut b) = (g, v.unsigned_abs());
        while b != 0 {
            (a, b) = (b, a % b);
        }
        g = a;
    }
    fit(i128::from(g))
}

/// `math.lcm(*values)`: never negative; 1 for no values, 0 when any is 0.
pub fn lcm(values: &[i64]) -> Result<i64, PyErr> {
    let mut l = 1i128;
    for &v in values {
        if v == 0 {
            return Ok(0);
        }
        let g = i128::from(gcd(&[fit(l)?, v])?);
        l = l / g * i128::from(v).abs();
        if l > i128::from(i64::MAX) {
            return Err(PyErr::int_overflow());
        }
    }
    Ok(l as i64)
}

/// `math.isqrt(n)`: the floor of the square root; `ValueError` below 0.
pub fn isqrt(n: i64) -> Result<i64, PyErr> {
    if n < 0 {
        return Err(PyErr::value_error("isqrt() argument must be nonnegative"));
    }
    // The float root is within one of the answer; fix it up exactly.
    let n = i128::from(n);
    let mut r = (n as f64).sqrt() as i128;
    while r * r > n {
        r -= 1;
    }
    while (r + 1) * (r + 1) <= n {
        r += 1;
    }
    fit(r)
}

/// The checks `math.comb` and `math.perm` make of their arguments.
fn choose_args(n: i64, k: i64) -> Result<(), PyErr> {
    if n < 0 {
        return Err(PyErr::value_error("n must be a non-negative integer"));
    }
    if k < 0 {
        return Err(PyErr::value_error("k must be a non-negative integer"));
    }
    Ok(())
}

/// `math.comb(n, k)`: ways to choose `k` of `n` items; 0 when `k > n`.
pub fn comb(n: i64, k: i64) -> Result<i64, PyErr> {
    choose_args(n, k)?;
    if k > n {
        return Ok(0);
    }
    let k = k.min(n - k);
    // C(n - k + i, i) for i = 1..=k, each exact; a product overflowing
    // i128 means the result cannot fit (it only grows).
    let mut r = 1i128;
    for i in 1..=i128::from(k) {
        r = r
            .checked_mul(i128::from(n - k) + i)
            .ok_or_else(PyErr::int_overflow)?
            / i;
        if r > i128::from(i64::MAX) {
            return Err(PyErr::int_overflow());
        }
    }
    Ok(r as i64)
}

/// `math.perm(n, k)`: ordered choices of `k` of `n` items (`perm(n)` is
/// `perm(n, n)`); 0 when `k > n`.
pub fn perm(n: i64, k: i64) -> Result<i64, PyErr> {
    choose_args(n, k)?;
    if k > n {
        return Ok(0);
    }
    let mut r = 1i128;
    for f in (n - k + 1)..=n {
        r *= i128::from(f);
        if r > i128::from(i64::MAX) {
            return Err(PyErr::int_overflow());
        }
    }
    Ok(r as i64)
}

/// `math.factorial(n)`: `ValueError` below 0.
pub fn factorial(n: i64) -> Result<i64, PyErr> {
    if n < 0 {
        return Err(PyErr::value_error(
            "factorial() not defined for negative values",
        ));
    }
    perm(n, n)
}

/// `n.bit_length()`: bits of `abs(n)` without leading zeros.
pub fn bit_length(n: i64) -> i64 {
    i64::from(64 - n.unsigned_abs().leading_zeros())
}

/// `n.bit_count()`: one bits of `abs(n)`.
pub fn bit_count(n: i64) -> i64 {
    i64::from(n.unsigned_abs().count_ones())
}

/// `bin(n)`, `oct(n)` or `hex(n)` for `radix` 2, 8 or 16: the sign, the
/// prefix (`0b`, `0o`, `0x`) and the digits of `abs(n)` in lower case.
pub fn int_to_radix(n: i64, radix: u32) -> String {
    let digits = match radix {
        2 => format!("0b{:b}", n.unsigned_abs()),
        8 => format!("0o{:o}", n.unsigned_abs()),
        _ => format!("0x{:x}", n.unsigned_abs()),
    };
    if n < 0 {
        format!("-{digits}")
    } else {
        digits
    }
}

/// `math.hypot(x, y)` as CPython 3.11 computes it: `inf` when either is
/// infinite (even beside a NaN), NaN for a NaN, and otherwise the root of
/// the sum of the scaled squares, accumulated in double-length arithmetic
/// and corrected by one Newton step (`vector_norm` in CPython).
pub fn hypot(x: f64, y: f64) -> f64 {
    let coords = [x.abs(), y.abs()];
    let max = coords
        .iter()
        .copied()
        .fold(0.0, |m, c| if c > m { c } else { m });
    if max.is_infinite() {
        return max;
    }
    if coords.iter().any(|c| c.is_nan()) {
        return f64::NAN;
    }
    if max == 0.0 {
        return max;
    }
    let max_exp = frexp_exponent(max);
    if max_exp < -1023 {
        // Subnormal: CPython divides by the largest instead of scaling by
        // a power of two (which would overflow), summing as Neumaier does.
        let (mut sum, mut frac) = (1.0f64, 0.0f64);
        for c in coords {
            let q = c / max;
            let sq = q * q;
            let before = sum;
            sum += sq;
            frac += (before - sum) + sq;
        }
        return max * (sum - 1.0 + frac).sqrt();
    }
    let scale = power_of_two(-max_exp);
    let (mut sum, mut frac1, mut frac2) = (1.0f64, 0.0f64, 0.0f64);
    for c in coords {
        let c = c * scale;
        let (sq, sq_low) = exact_product(c, c);
        let (s, s_low) = exact_sum(sum, sq);
        sum = s;
        frac1 += sq_low;
        frac2 += s_low;
    }
    let mut h = (sum - 1.0 + (frac1 + frac2)).sqrt();
    let (sq, sq_low) = exact_product(-h, h);
    let (s, s_low) = exact_sum(sum, sq);
    frac1 += sq_low;
    frac2 += s_low;
    let residual = s - 1.0 + (frac1 + frac2);
    h += residual / (2.0 * h);
    h / scale
}

/// `e` of C's `frexp(x)` (`x = m * 2**e`, `0.5 <= m < 1`) for a finite
/// `x > 0`, subnormals included.
fn frexp_exponent(x: f64) -> i32 {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    if biased != 0 {
        return biased - 1022;
    }
    let mantissa = bits & ((1 << 52) - 1);
    (63 - mantissa.leading_zeros() as i32) - 1073
}

/// `2**k` exactly, for `-1074 <= k <= 1023`.
fn power_of_two(k: i32) -> f64 {
    if k >= -1022 {
        f64::from_bits(((k + 1023) as u64) << 52)
    } else {
        f64::from_bits(1 << (k + 1074))
    }
}

/// `a + b` (`|a| >= |b|`) as the rounded sum and its exact error.
fn exact_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    (s, (a - s) + b)
}

/// `a * b` as a rounded product and its error, by Dekker's splitting.
fn exact_product(a: f64, b: f64) -> (f64, f64) {
    let split = |v: f64| {
        let t = v * 134_217_729.0; // 2**27 + 1
        let high = t - (t - v);
        (high, v - high)
    };
    let ((ah, al), (bh, bl)) = (split(a), split(b));
    let p = ah * bh;
    let q = ah * bl + al * bh;
    let z = p + q;
    (z, p - z + q + al * bl)
}
