//! `Σ [k_i]P_i` in variable time over crrl's Ed25519 points, for the batch equation of
//! `signature`: Straus's method (one shared chain of doublings, each point's odd multiples
//! added at the non-zero digits of its scalar in width-5 NAF).
//!
//! The batch keeps each `R` as the point crrl decoded for its subgroup test, so that no
//! `R` is decoded twice; this is the multiplication those points need. It is variable
//! time: every input is public (signatures, keys and the batch coefficients derived from
//! them). A batch's `R` scalars are 128-bit coefficients, so their digits stop halfway:
//! each `R` costs about 21 additions and a table of 8 multiples.

use crrl::ed25519::Point;

/// Width of the NAF: digits are odd, in `-15..=15`, and each non-zero digit is followed
/// by at least four zeros.
const WIDTH: u32 = 5;

/// Multiples `P, 3P, …, 15P` for the odd digits of width 5.
const TABLE: usize = 1 << (WIDTH - 2);

/// The width-5 NAF of the little-endian scalar `k` (below 2²⁵⁵): `k = Σ d_i 2^i` with
/// `d_i` odd in `-15..=15` or zero.
fn naf(k: &[u8; 32]) -> [i8; 256] {
    let mut limbs = [0u64; 5];
    for (limb, bytes) in limbs.iter_mut().zip(k.chunks_exact(8)) {
        let mut b = [0u8; 8];
        b.copy_from_slice(bytes);
        *limb = u64::from_le_bytes(b);
    }
    let width = 1u64 << WIDTH;
    let mask = width - 1;
    let mut digits = [0i8; 256];
    let mut carry = 0u64;
    let mut pos = 0usize;
    while pos < 256 {
        let (limb, bit) = (pos / 64, pos % 64);
        // The WIDTH bits from `pos` on, across a limb boundary when needed.
        let bits = if bit + WIDTH as usize <= 64 {
            limbs[limb] >> bit
        } else {
            (limbs[limb] >> bit) | (limbs[limb + 1] << (64 - bit))
        };
        let window = carry + (bits & mask);
        if window & 1 == 0 {
            // An even window: this digit is zero, the next bit decides.
            pos += 1;
            continue;
        }
        if window < width / 2 {
            carry = 0;
            digits[pos] = window as i8;
        } else {
            carry = 1;
            digits[pos] = window as i8 - width as i8;
        }
        pos += WIDTH as usize;
    }
    digits
}

/// `[1, 3, …, 15]·p`.
fn odd_multiples(p: &Point) -> [Point; TABLE] {
    let twice = p.double();
    let mut table = [*p; TABLE];
    for i in 1..TABLE {
        table[i] = table[i - 1] + twice;
    }
    table
}

/// `Σ [k]P` over `terms` (scalar as 32 little-endian bytes below 2²⁵⁵, point), in variable
/// time.
pub(crate) fn multiscalar_vartime(terms: &[([u8; 32], Point)]) -> Point {
    let digits: Vec<[i8; 256]> = terms.iter().map(|(k, _)| naf(k)).collect();
    let Some(top) = digits
        .iter()
        .filter_map(|d| d.iter().rposition(|&x| x != 0))
        .max()
    else {
        return Point::NEUTRAL;
    };
    let tables: Vec<[Point; TABLE]> = terms.iter().map(|(_, p)| odd_multiples(p)).collect();
    let mut acc = Point::NEUTRAL;
    for i in (0..=top).rev() {
        acc.set_double();
        for (d, table) in digits.iter().zip(&tables) {
            let digit = d[i];
            if digit > 0 {
                acc += table[(digit as usize) / 2];
            } else if digit < 0 {
                acc -= table[(-digit as usize) / 2];
            }
        }
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crrl::ed25519::Scalar;
    use sha2::{Digest, Sha512};

    /// A pseudo-random scalar below L (`wide`) or below 2¹²⁸, from `seed`.
    fn scalar(seed: u32, wide: bool) -> [u8; 32] {
        let h = Sha512::digest(seed.to_le_bytes());
        let mut k = Scalar::decode_reduce(&h).encode();
        if !wide {
            k[16..].fill(0);
        }
        k
    }

    fn point(seed: u32) -> Point {
        Point::mulgen(&Scalar::decode_reduce(&Sha512::digest(
            (seed ^ 0x5a5a_0000).to_le_bytes(),
        )))
    }

    /// `Σ [k]P` with crrl's constant-time multiplication, term by term.
    fn naive(terms: &[([u8; 32], Point)]) -> Point {
        terms.iter().fold(Point::NEUTRAL, |acc, (k, p)| {
            acc + *p * Scalar::decode_reduce(k)
        })
    }

    #[test]
    fn naf_digits_sum_to_the_scalar_and_are_sparse_odd_and_small() {
        let mut edge = vec![[0u8; 32], [0xff; 32], scalar(1, true), scalar(2, false)];
        edge[1][31] = 0x7f; // 2^255 - 1, the largest input
        let mut one = [0u8; 32];
        one[0] = 1;
        edge.push(one);
        let mut l_minus_1 = (-Scalar::ONE).encode();
        edge.push(l_minus_1);
        l_minus_1[0] ^= 0x10;
        edge.push(l_minus_1);
        for k in edge
            .into_iter()
            .chain((0..200).map(|i| scalar(i, i % 2 == 0)))
        {
            let d = naf(&k);
            // Σ d_i 2^i, as a 257-bit two's-complement sum over 64-bit limbs.
            let mut sum = [0i128; 5];
            for (i, &x) in d.iter().enumerate() {
                assert!(x == 0 || (x % 2 != 0 && (-15..=15).contains(&x)), "{x}");
                if x != 0 {
                    assert!(d[i + 1..(i + 5).min(256)].iter().all(|&y| y == 0));
                }
                sum[i / 64] += i128::from(x) << (i % 64);
            }
            for i in 0..4 {
                let carry = sum[i].div_euclid(1 << 64);
                sum[i] -= carry << 64;
                sum[i + 1] += carry;
            }
            let mut limbs = [0u64; 4];
            for (limb, bytes) in limbs.iter_mut().zip(k.chunks_exact(8)) {
                *limb = u64::from_le_bytes(bytes.try_into().unwrap());
            }
            for i in 0..4 {
                assert_eq!(sum[i], i128::from(limbs[i]), "{k:02x?}");
            }
            assert_eq!(sum[4], 0, "{k:02x?}");
        }
    }

    #[test]
    fn the_sum_is_what_multiplying_term_by_term_gives() {
        // As the batch uses it: many short scalars on R values, a few wide ones on keys;
        // then edge cases: nothing, zeros, ones, the neutral point, one term.
        let mut terms: Vec<([u8; 32], Point)> =
            (0..60).map(|i| (scalar(i, false), point(i))).collect();
        terms.extend((60..67).map(|i| (scalar(i, true), point(i))));
        let sum = multiscalar_vartime(&terms);
        assert_ne!(sum.equals(naive(&terms)), 0);
        assert_ne!(sum.equals(point(0)), 0xffff_ffff, "not a trivial result");

        let mut one = [0u8; 32];
        one[0] = 1;
        let cases: Vec<Vec<([u8; 32], Point)>> = vec![
            vec![],
            vec![([0; 32], point(1)), ([0; 32], point(2))],
            vec![(one, point(3))],
            vec![(one, point(3)), ((-Scalar::ONE).encode(), point(3))],
            vec![
                (scalar(9, true), Point::NEUTRAL),
                (scalar(10, false), point(4)),
            ],
            vec![(scalar(11, true), point(5))],
        ];
        for terms in cases {
            let got = multiscalar_vartime(&terms);
            assert_ne!(got.equals(naive(&terms)), 0, "{} terms", terms.len());
        }
    }
}
