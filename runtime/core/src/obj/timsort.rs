//! CPython 3.11's list sort (`listsort` in `Objects/listobject.c`),
//! comparison for comparison: natural runs found left to right (a strictly
//! descending one reversed), short ones extended to the minimum run length
//! by binary insertion, runs merged by the powersort rule, merges that
//! gallop when one side keeps winning. With a total order any stable sort
//! gives the same result; with one that is not (NaNs, `less` false both
//! ways) only this sequence of comparisons puts every item where CPython
//! does, which is what Roast owes a program.

/// A merge starts galloping after this many wins in a row (`MIN_GALLOP`).
const MIN_GALLOP: usize = 7;

/// A run waiting to be merged: where it starts, how long it is, and its
/// power (its depth in the merge tree; powersort merges deeper runs first).
#[derive(Clone, Copy)]
struct Run {
    start: usize,
    len: usize,
    power: u32,
}

/// The sort in progress: the items, the comparison, the runs not merged
/// yet, how eager to gallop, and room for the shorter side of a merge.
struct MergeState<'a, T, F> {
    items: &'a mut [T],
    less: F,
    runs: Vec<Run>,
    min_gallop: usize,
    scratch: Vec<T>,
}

/// Sorts `items` stably by `less` ("must `a` come before `b`?"), making
/// exactly the comparisons CPython 3.11's `list.sort()` makes.
pub(crate) fn sort<T: Copy>(items: &mut [T], less: impl FnMut(T, T) -> bool) {
    let n = items.len();
    if n < 2 {
        return;
    }
    let mut state = MergeState {
        items,
        less,
        runs: Vec::new(),
        min_gallop: MIN_GALLOP,
        scratch: Vec::new(),
    };
    let min_run = min_run(n);
    let mut start = 0;
    while start < n {
        let remaining = n - start;
        let (mut len, descending) = state.count_run(start);
        if descending {
            state.items[start..start + len].reverse();
        }
        if len < min_run {
            let forced = remaining.min(min_run);
            state.binary_insertion(start, start + forced, start + len);
            len = forced;
        }
        state.found_new_run(start, len);
        state.runs.push(Run {
            start,
            len,
            power: 0,
        });
        start += len;
    }
    while state.runs.len() > 1 {
        let mut at = state.runs.len() - 2;
        if at > 0 && state.runs[at - 1].len < state.runs[at + 1].len {
            at -= 1;
        }
        state.merge_at(at);
    }
}

/// The shortest run worth making (`merge_compute_minrun`): `n` itself below
/// 64, else between 32 and 64 so that `n / min_run` is just below a power
/// of two.
fn min_run(mut n: usize) -> usize {
    let mut shifted_off_ones = 0;
    while n >= 64 {
        shifted_off_ones |= n & 1;
        n >>= 1;
    }
    n + shifted_off_ones
}

/// The power of the run at `start` (length `len`) followed by one of
/// length `next_len`, in a list of `n` (`powerloop`): the first bit where
/// the run midpoints, as fractions of `n`, differ.
fn power(start: usize, len: usize, next_len: usize, n: usize) -> u32 {
    let mut a = 2 * start + len;
    let mut b = a + len + next_len;
    let mut power = 0;
    loop {
        power += 1;
        if a >= n {
            a -= n;
            b -= n;
        } else if b >= n {
            return power;
        }
        a <<= 1;
        b <<= 1;
    }
}

/// Where `key` goes in the sorted `a`, left of any equal items
/// (`gallop_left`): the `k` with `a[k - 1] < key <= a[k]`, searched from
/// `hint` outwards by doubling steps, then by bisection.
fn gallop_left<T: Copy>(
    key: T,
    a: &[T],
    hint: usize,
    less: &mut impl FnMut(T, T) -> bool,
) -> usize {
    let n = a.len();
    let (mut last, mut ofs);
    if less(a[hint], key) {
        // Gallop right until a[hint + last] < key <= a[hint + ofs].
        let max = n - hint;
        (last, ofs) = (0, 1);
        while ofs < max && less(a[hint + ofs], key) {
            last = ofs;
            ofs = 2 * ofs + 1;
        }
        ofs = ofs.min(max);
        (last, ofs) = (hint + last + 1, hint + ofs);
    } else {
        // Gallop left until a[hint - ofs] < key <= a[hint - last].
        let max = hint + 1;
        (last, ofs) = (0, 1);
        while ofs < max && !less(a[hint - ofs], key) {
            last = ofs;
            ofs = 2 * ofs + 1;
        }
        ofs = ofs.min(max);
        // One past `hint - ofs`, which may be -1.
        (last, ofs) = (hint + 1 - ofs, hint - last);
    }
    while last < ofs {
        let mid = last + (ofs - last) / 2;
        if less(a[mid], key) {
            last = mid + 1;
        } else {
            ofs = mid;
        }
    }
    ofs
}

/// Where `key` goes in the sorted `a`, right of any equal items
/// (`gallop_right`): the `k` with `a[k - 1] <= key < a[k]`.
fn gallop_right<T: Copy>(
    key: T,
    a: &[T],
    hint: usize,
    less: &mut impl FnMut(T, T) -> bool,
) -> usize {
    let n = a.len();
    let (mut last, mut ofs);
    if less(key, a[hint]) {
        // Gallop left until a[hint - ofs] <= key < a[hint - last].
        let max = hint + 1;
        (last, ofs) = (0, 1);
        while ofs < max && less(key, a[hint - ofs]) {
            last = ofs;
            ofs = 2 * ofs + 1;
        }
        ofs = ofs.min(max);
        (last, ofs) = (hint + 1 - ofs, hint - last);
    } else {
        // Gallop right until a[hint + last] <= key < a[hint + ofs].
        let max = n - hint;
        (last, ofs) = (0, 1);
        while ofs < max && !less(key, a[hint + ofs]) {
            last = ofs;
            ofs = 2 * ofs + 1;
        }
        ofs = ofs.min(max);
        (last, ofs) = (hint + last + 1, hint + ofs);
    }
    while last < ofs {
        let mid = last + (ofs - last) / 2;
        if less(key, a[mid]) {
            ofs = mid;
        } else {
            last = mid + 1;
        }
    }
    ofs
}

/// How a merge loop ended: everything placed but what remains of the run
/// in scratch, or one item of one run left to put at the far end.
enum MergeEnd {
    Done,
    LastOfOther,
}

impl<T: Copy, F: FnMut(T, T) -> bool> MergeState<'_, T, F> {
    /// The length of the run at `start` and whether it is strictly
    /// descending (`count_run`).
    fn count_run(&mut self, start: usize) -> (usize, bool) {
        let v = &*self.items;
        let less = &mut self.less;
        if start + 1 == v.len() {
            return (1, false);
        }
        let mut end = start + 2;
        let descending = less(v[start + 1], v[start]);
        while end < v.len() && less(v[end], v[end - 1]) == descending {
            end += 1;
        }
        (end - start, descending)
    }

    /// Sorts `items[lo..hi]` by binary insertion, `items[lo..sorted]`
    /// being sorted already (`binarysort`).
    fn binary_insertion(&mut self, lo: usize, hi: usize, sorted: usize) {
        for next in sorted.max(lo + 1)..hi {
            let pivot = self.items[next];
            let (mut left, mut right) = (lo, next);
            while left < right {
                let mid = left + (right - left) / 2;
                if (self.less)(pivot, self.items[mid]) {
                    right = mid;
                } else {
                    left = mid + 1;
                }
            }
            self.items.copy_within(left..next, left + 1);
            self.items[left] = pivot;
        }
    }

    /// Before the run at `start` (length `len`) is pushed: gives the run
    /// on top its power and merges the runs below it that are deeper
    /// (`found_new_run`).
    fn found_new_run(&mut self, start: usize, len: usize) {
        let Some(top) = self.runs.last() else {
            return;
        };
        debug_assert_eq!(top.start + top.len, start);
        let power = power(top.start, top.len, len, self.items.len());
        while self.runs.len() > 1 && self.runs[self.runs.len() - 2].power > power {
            self.merge_at(self.runs.len() - 2);
        }
        self.runs.last_mut().expect("a run").power = power;
    }

    /// Merges runs `at` and `at + 1` (`merge_at`).
    fn merge_at(&mut self, at: usize) {
        let (a, b) = (self.runs[at], self.runs[at + 1]);
        self.runs[at].len = a.len + b.len;
        self.runs.remove(at + 1);
        // The items of `a` already before all of `b` stay where they are,
        // and so do those of `b` already after all of `a`.
        let skip = gallop_right(
            self.items[b.start],
            &self.items[a.start..b.start],
            0,
            &mut self.less,
        );
        let (a_start, a_len) = (a.start + skip, a.len - skip);
        if a_len == 0 {
            return;
        }
        let last_of_a = self.items[a_start + a_len - 1];
        let b_len = gallop_left(
            last_of_a,
            &self.items[b.start..b.start + b.len],
            b.len - 1,
            &mut self.less,
        );
        if b_len == 0 {
            return;
        }
        if a_len <= b_len {
            self.merge_low(a_start, a_len, b_len);
        } else {
            self.merge_high(a_start, a_len, b_len);
        }
    }

    /// Merges `items[a..a + a_len]` with the `b_len` items after it, the
    /// first run copied to scratch, filling from the left (`merge_lo`).
    fn merge_low(&mut self, a: usize, mut a_len: usize, mut b_len: usize) {
        self.scratch.clear();
        self.scratch.extend_from_slice(&self.items[a..a + a_len]);
        let (mut dest, mut ia, mut ib) = (a, 0, a + a_len);
        self.items[dest] = self.items[ib];
        (dest, ib, b_len) = (dest + 1, ib + 1, b_len - 1);
        let end = 'merge: {
            if b_len == 0 {
                break 'merge MergeEnd::Done;
            }
            if a_len == 1 {
                break 'merge MergeEnd::LastOfOther;
            }
            let mut min_gallop = self.min_gallop;
            loop {
                let (mut a_wins, mut b_wins) = (0, 0);
                loop {
                    if (self.less)(self.items[ib], self.scratch[ia]) {
                        self.items[dest] = self.items[ib];
                        (dest, ib, b_len) = (dest + 1, ib + 1, b_len - 1);
                        (b_wins, a_wins) = (b_wins + 1, 0);
                        if b_len == 0 {
                            break 'merge MergeEnd::Done;
                        }
                        if b_wins >= min_gallop {
                            break;
                        }
                    } else {
                        self.items[dest] = self.scratch[ia];
                        (dest, ia, a_len) = (dest + 1, ia + 1, a_len - 1);
                        (a_wins, b_wins) = (a_wins + 1, 0);
                        if a_len == 1 {
                            break 'merge MergeEnd::LastOfOther;
                        }
                        if a_wins >= min_gallop {
                            break;
                        }
                    }
                }
                min_gallop += 1;
                loop {
                    min_gallop -= usize::from(min_gallop > 1);
                    self.min_gallop = min_gallop;
                    let key = self.items[ib];
                    a_wins = gallop_right(key, &self.scratch[ia..ia + a_len], 0, &mut self.less);
                    if a_wins > 0 {
                        let k = a_wins;
                        self.items[dest..dest + k].copy_from_slice(&self.scratch[ia..ia + k]);
                        (dest, ia, a_len) = (dest + k, ia + k, a_len - k);
                        if a_len == 1 {
                            break 'merge MergeEnd::LastOfOther;
                        }
                        if a_len == 0 {
                            break 'merge MergeEnd::Done;
                        }
                    }
                    self.items[dest] = self.items[ib];
                    (dest, ib, b_len) = (dest + 1, ib + 1, b_len - 1);
                    if b_len == 0 {
                        break 'merge MergeEnd::Done;
                    }
                    let key = self.scratch[ia];
                    b_wins = gallop_left(key, &self.items[ib..ib + b_len], 0, &mut self.less);
                    if b_wins > 0 {
                        let k = b_wins;
                        self.items.copy_within(ib..ib + k, dest);
                        (dest, ib, b_len) = (dest + k, ib + k, b_len - k);
                        if b_len == 0 {
                            break 'merge MergeEnd::Done;
                        }
                    }
                    self.items[dest] = self.scratch[ia];
                    (dest, ia, a_len) = (dest + 1, ia + 1, a_len - 1);
                    if a_len == 1 {
                        break 'merge MergeEnd::LastOfOther;
                    }
                    if a_wins < MIN_GALLOP && b_wins < MIN_GALLOP {
                        break;
                    }
                }
                min_gallop += 1;
                self.min_gallop = min_gallop;
            }
        };
        match end {
            MergeEnd::Done => {
                self.items[dest..dest + a_len].copy_from_slice(&self.scratch[ia..ia + a_len]);
            }
            MergeEnd::LastOfOther => {
                // The last item of the first run goes after all of the
                // second that is left.
                self.items.copy_within(ib..ib + b_len, dest);
                self.items[dest + b_len] = self.scratch[ia];
            }
        }
    }

    /// Merges `items[a..a + a_len]` with the `b_len` items after it, the
    /// second run copied to scratch, filling from the right (`merge_hi`).
    /// Positions count one past the item they name, so none goes below 0.
    fn merge_high(&mut self, a: usize, mut a_len: usize, mut b_len: usize) {
        let b = a + a_len;
        self.scratch.clear();
        self.scratch.extend_from_slice(&self.items[b..b + b_len]);
        // One past: the next place to fill, the last unplaced item of each.
        let (mut dest, mut ia, mut ib) = (b + b_len, b, b_len);
        self.items[dest - 1] = self.items[ia - 1];
        (dest, ia, a_len) = (dest - 1, ia - 1, a_len - 1);
        let end = 'merge: {
            if a_len == 0 {
                break 'merge MergeEnd::Done;
            }
            if b_len == 1 {
                break 'merge MergeEnd::LastOfOther;
            }
            let mut min_gallop = self.min_gallop;
            loop {
                let (mut a_wins, mut b_wins) = (0, 0);
                loop {
                    if (self.less)(self.scratch[ib - 1], self.items[ia - 1]) {
                        self.items[dest - 1] = self.items[ia - 1];
                        (dest, ia, a_len) = (dest - 1, ia - 1, a_len - 1);
                        (a_wins, b_wins) = (a_wins + 1, 0);
                        if a_len == 0 {
                            break 'merge MergeEnd::Done;
                        }
                        if a_wins >= min_gallop {
                            break;
                        }
                    } else {
                        self.items[dest - 1] = self.scratch[ib - 1];
                        (dest, ib, b_len) = (dest - 1, ib - 1, b_len - 1);
                        (b_wins, a_wins) = (b_wins + 1, 0);
                        if b_len == 1 {
                            break 'merge MergeEnd::LastOfOther;
                        }
                        if b_wins >= min_gallop {
                            break;
                        }
                    }
                }
                min_gallop += 1;
                loop {
                    min_gallop -= usize::from(min_gallop > 1);
                    self.min_gallop = min_gallop;
                    let key = self.scratch[ib - 1];
                    let at =
                        gallop_right(key, &self.items[a..a + a_len], a_len - 1, &mut self.less);
                    a_wins = a_len - at;
                    if a_wins > 0 {
                        let k = a_wins;
                        (dest, ia) = (dest - k, ia - k);
                        self.items.copy_within(ia..ia + k, dest);
                        a_len -= k;
                        if a_len == 0 {
                            break 'merge MergeEnd::Done;
                        }
                    }
                    self.items[dest - 1] = self.scratch[ib - 1];
                    (dest, ib, b_len) = (dest - 1, ib - 1, b_len - 1);
                    if b_len == 1 {
                        break 'merge MergeEnd::LastOfOther;
                    }
                    let key = self.items[ia - 1];
                    let at = gallop_left(key, &self.scratch[..b_len], b_len - 1, &mut self.less);
                    b_wins = b_len - at;
                    if b_wins > 0 {
                        let k = b_wins;
                        (dest, ib) = (dest - k, ib - k);
                        self.items[dest..dest + k].copy_from_slice(&self.scratch[ib..ib + k]);
                        b_len -= k;
                        if b_len == 1 {
                            break 'merge MergeEnd::LastOfOther;
                        }
                        if b_len == 0 {
                            break 'merge MergeEnd::Done;
                        }
                    }
                    self.items[dest - 1] = self.items[ia - 1];
                    (dest, ia, a_len) = (dest - 1, ia - 1, a_len - 1);
                    if a_len == 0 {
                        break 'merge MergeEnd::Done;
                    }
                    if a_wins < MIN_GALLOP && b_wins < MIN_GALLOP {
                        break;
                    }
                }
                min_gallop += 1;
                self.min_gallop = min_gallop;
            }
        };
        match end {
            MergeEnd::Done => {
                self.items[dest - b_len..dest].copy_from_slice(&self.scratch[..b_len]);
            }
            MergeEnd::LastOfOther => {
                // The first item of the second run goes before all of the
                // first that is left.
                self.items.copy_within(ia - a_len..ia, dest - a_len);
                self.items[dest - a_len - 1] = self.scratch[ib - 1];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sort;

    /// An LCG's next value.
    fn next(seed: &mut u64) -> u64 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        *seed >> 33
    }

    #[test]
    fn sorts_stably_whatever_the_runs() {
        let mut seed = 7;
        for n in [0, 1, 2, 3, 63, 64, 65, 100, 255, 1000, 4097, 20000] {
            for shape in 0..4 {
                let mut v: Vec<(u64, usize)> = (0..n)
                    .map(|i| {
                        let key = match shape {
                            0 => next(&mut seed) % 50,
                            1 => i as u64 / 3,
                            2 => (n - i) as u64 / 5,
                            _ => (i as u64 % 97) ^ (next(&mut seed) % 3),
                        };
                        (key, i)
                    })
                    .collect();
                let mut want = v.clone();
                want.sort_by_key(|p| p.0);
                sort(&mut v, |a, b| a.0 < b.0);
                assert_eq!(v, want, "n {n}, shape {shape}");
            }
        }
    }

    #[test]
    fn finishes_with_an_order_that_is_not_total() {
        let mut seed = 11;
        let mut v: Vec<f64> = (0..5000)
            .map(|_| match next(&mut seed) % 10 {
                0 => f64::NAN,
                r => r as f64,
            })
            .collect();
        let mut before: Vec<u64> = v.iter().map(|x| x.to_bits()).collect();
        sort(&mut v, |a, b| a < b);
        let mut after: Vec<u64> = v.iter().map(|x| x.to_bits()).collect();
        before.sort_unstable();
        after.sort_unstable();
        assert_eq!(before, after, "a permutation of the items");
    }
}
