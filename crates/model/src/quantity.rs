//! Quantities: kilograms with at most three decimals in JSON, whole grams in CBOR, so that
//! every comparison is exact to the gram.

use std::fmt;

/// A positive weight in whole grams.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Grams(pub u64);

/// The largest accepted quantity: 10^12 kg (10^15 g). Sums of up to 2^20 such quantities
/// still fit in a u64 without overflow, and the verifier uses checked/saturating sums anyway.
pub const MAX_GRAMS: u64 = 1_000_000_000_000_000;

/// Why a number is not an accepted quantity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    /// Zero, negative, NaN or infinite.
    #[error("must be a positive finite number of kilograms")]
    NotPositive,
    /// More than three decimals (finer than a gram).
    #[error("at most 3 decimals (whole grams)")]
    TooPrecise,
    /// Above the documented maximum.
    #[error("above the maximum of 1e12 kg")]
    TooLarge,
}

impl Grams {
    /// Convert a JSON number of kilograms. The number's shortest decimal form (what the
    /// JSON text said, for any number a person writes) must have at most three decimals.
    pub fn from_kg(kg: f64) -> Result<Self, QuantityError> {
        if !kg.is_finite() || kg <= 0.0 {
            return Err(QuantityError::NotPositive);
        }
        if kg > (MAX_GRAMS / 1000) as f64 {
            return Err(QuantityError::TooLarge);
        }
        // Rust prints the shortest representation that round-trips, without exponent.
        let text = format!("{kg}");
        let (int_part, frac_part) = text.split_once('.').unwrap_or((&text, ""));
        if frac_part.len() > 3 {
            return Err(QuantityError::TooPrecise);
        }
        let int: u64 = int_part.parse().map_err(|_| QuantityError::TooLarge)?;
        let mut frac: u64 = 0;
        for i in 0..3 {
            let d = frac_part
                .as_bytes()
                .get(i)
                .map_or(0, |c| u64::from(c - b'0'));
            frac = frac * 10 + d;
        }
        let g = int
            .checked_mul(1000)
            .and_then(|v| v.checked_add(frac))
            .ok_or(QuantityError::TooLarge)?;
        Self::from_grams(g)
    }

    /// Accept a gram count read from CBOR.
    pub fn from_grams(g: u64) -> Result<Self, QuantityError> {
        match g {
            0 => Err(QuantityError::NotPositive),
            g if g > MAX_GRAMS => Err(QuantityError::TooLarge),
            g => Ok(Grams(g)),
        }
    }

    /// Kilograms as a float (for JSON output).
    pub fn kg(self) -> f64 {
        self.0 as f64 / 1000.0
    }
}

impl fmt::Display for Grams {
    /// `1200.5 kg`, trailing zeros dropped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / 1000;
        let frac = self.0 % 1000;
        if frac == 0 {
            write!(f, "{whole} kg")
        } else {
            let s = format!("{frac:03}");
            write!(f, "{whole}.{} kg", s.trim_end_matches('0'))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_exactly() {
        assert_eq!(Grams::from_kg(800.0), Ok(Grams(800_000)));
        assert_eq!(Grams::from_kg(0.001), Ok(Grams(1)));
        assert_eq!(Grams::from_kg(1200.125), Ok(Grams(1_200_125)));
        assert_eq!(Grams::from_kg(0.1), Ok(Grams(100)));
        assert_eq!(Grams(1_200_500).to_string(), "1200.5 kg");
        assert_eq!(Grams(7_000).to_string(), "7 kg");
    }

    #[test]
    fn rejects_bad_quantities() {
        assert_eq!(Grams::from_kg(0.0), Err(QuantityError::NotPositive));
        assert_eq!(Grams::from_kg(-1.0), Err(QuantityError::NotPositive));
        assert_eq!(Grams::from_kg(f64::NAN), Err(QuantityError::NotPositive));
        assert_eq!(
            Grams::from_kg(f64::INFINITY),
            Err(QuantityError::NotPositive)
        );
        assert_eq!(Grams::from_kg(0.0005), Err(QuantityError::TooPrecise));
        assert_eq!(Grams::from_kg(1.2345), Err(QuantityError::TooPrecise));
        assert_eq!(Grams::from_kg(2e12), Err(QuantityError::TooLarge));
        assert_eq!(Grams::from_grams(0), Err(QuantityError::NotPositive));
    }
}
