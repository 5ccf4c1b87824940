//! `slice.indices`: how CPython clamps `seq[start:stop:step]` to a sequence
//! of a given length. Shared by `str`, `list` and `tuple` slicing.

use super::PyErr;

/// A slice resolved against a sequence length, as `slice.indices(len)` and
/// `PySlice_AdjustIndices` compute it: the selected items are
/// `start, start + step, ...`, `count` of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SliceIndices {
    /// First index selected (meaningful only when `count > 0`).
    pub start: i64,
    /// Stop index, exclusive, after clamping.
    pub stop: i64,
    /// Step, never zero.
    pub step: i64,
    /// How many items the slice selects.
    pub count: i64,
}

impl SliceIndices {
    /// The selected indices, in order.
    pub fn indices(&self) -> impl Iterator<Item = i64> {
        let (start, step) = (self.start, self.step);
        (0..self.count).map(move |k| start + k * step)
    }
}

/// Resolves `[start:stop:step]` (each part optional, as in Python) against a
/// sequence of `len` items. A zero step is `ValueError: slice step cannot be
/// zero`. Out-of-range bounds clamp instead of raising.
pub fn slice_indices(
    len: i64,
    start: Option<i64>,
    stop: Option<i64>,
    step: Option<i64>,
) -> Result<SliceIndices, PyErr> {
    // PySlice_Unpack: defaults, and a step of at least -PY_SSIZE_T_MAX so
    // that negating it cannot overflow.
    let step = match step {
        None => 1,
        Some(0) => return Err(PyErr::value_error("slice step cannot be zero")),
        Some(s) => s.max(-i64::MAX),
    };
    let start = start.unwrap_or(if step < 0 { i64::MAX } else { 0 });
    let stop = stop.unwrap_or(if step < 0 { i64::MIN } else { i64::MAX });
    // PySlice_AdjustIndices.
    let clamp = |i: i64| {
        if i < 0 {
            let i = i + len;
            if i < 0 {
                if step < 0 {
                    -1
                } else {
                    0
                }
            } else {
                i
            }
        } else if i >= len {
            if step < 0 {
                len - 1
            } else {
                len
            }
        } else {
            i
        }
    };
    let (start, stop) = (clamp(start), clamp(stop));
    let count = if step < 0 {
        if stop < start {
            (start - stop - 1) / -step + 1
        } else {
            0
        }
    } else if start < stop && step == 1 {
        stop - start
    } else if start < stop {
        (stop - start - 1) / step + 1
    } else {
        0
    };
    Ok(SliceIndices {
        start,
        stop,
        step,
        count,
    })
}

/// `len(range(start, stop, step))`: `ValueError` for a zero step, and
/// CPython's `OverflowError` for a length beyond `i64::MAX`.
pub fn range_len(start: i64, stop: i64, step: i64) -> Result<i64, PyErr> {
    if step == 0 {
        return Err(PyErr::value_error("range() arg 3 must not be zero"));
    }
    let (low, high, by) = if step > 0 {
        (i128::from(start), i128::from(stop), i128::from(step))
    } else {
        (i128::from(stop), i128::from(start), -i128::from(step))
    };
    let n = if low < high {
        (high - low - 1) / by + 1
    } else {
        0
    };
    i64::try_from(n)
        .map_err(|_| PyErr::overflow_error("Python int too large to convert to C ssize_t"))
}

/// `x in range(start, stop, step)`: `ValueError` for a zero step.
pub fn range_contains(x: i64, start: i64, stop: i64, step: i64) -> Result<bool, PyErr> {
    if step == 0 {
        return Err(PyErr::value_error("range() arg 3 must not be zero"));
    }
    let (x, start, stop, step) = (
        i128::from(x),
        i128::from(start),
        i128::from(stop),
        i128::from(step),
    );
    let inside = if step > 0 {
        start <= x && x < stop
    } else {
        stop < x && x <= start
    };
    Ok(inside && (x - start) % step == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(len: i64, start: Option<i64>, stop: Option<i64>, step: Option<i64>) -> Vec<i64> {
        slice_indices(len, start, stop, step)
            .unwrap()
            .indices()
            .collect()
    }

    /// Expected values are `list(range(len))[start:stop:step]` in CPython.
    #[test]
    fn matches_cpython() {
        assert_eq!(sel(5, None, None, None), [0, 1, 2, 3, 4]);
        assert_eq!(sel(5, None, None, Some(-1)), [4, 3, 2, 1, 0]);
        assert_eq!(sel(5, Some(-2), None, None), [3, 4]);
        assert_eq!(sel(5, Some(10), Some(-10), Some(-2)), [4, 2, 0]);
        assert_eq!(sel(5, Some(1), Some(4), Some(i64::MAX)), [1]);
        assert_eq!(sel(5, None, None, Some(i64::MIN)), [4]);
        assert_eq!(sel(0, None, None, Some(-1)), Vec::<i64>::new());
        assert_eq!(
            sel(5, Some(i64::MIN), Some(i64::MAX), None),
            [0, 1, 2, 3, 4]
        );
        let err = slice_indices(3, None, None, Some(0)).unwrap_err();
        assert_eq!(err.message, "slice step cannot be zero");
    }
}
