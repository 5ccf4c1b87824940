//! The heap-value runtime (`roast_runtime::obj`) through its C ABI and its
//! Rust boundary. Every expected string was printed by CPython 3.11
//! (`python3`, 3.11.7) for the equivalent Python expression, shown in the
//! comment next to it.

use roast_runtime::obj::boundary::{FromRoast, ToRoast};
use roast_runtime::obj::{intern, Kind, TypeDesc};
use roast_runtime::*;

const FILE: &[u8] = b"t.roast";

fn t(kind: Kind, params: &[&'static TypeDesc]) -> &'static TypeDesc {
    intern(kind, params)
}

fn int() -> &'static TypeDesc {
    t(Kind::Int, &[])
}

fn float() -> &'static TypeDesc {
    t(Kind::Float, &[])
}

fn str_d() -> &'static TypeDesc {
    t(Kind::Str, &[])
}

fn list_of(d: &'static TypeDesc) -> &'static TypeDesc {
    t(Kind::List, &[d])
}

/// A new str object.
fn s(text: &str) -> *mut u8 {
    // SAFETY: `text` is UTF-8 of that length; the descriptor is static.
    unsafe { roast_rt_str_new(text.as_ptr(), text.len(), str_d()) }
}

/// The text of a str object, giving up the reference.
fn take(p: *mut u8) -> String {
    assert!(!p.is_null(), "an exception was raised");
    // SAFETY: `p` is a live str owned by the caller.
    let text = unsafe { String::from_word(p as u64) };
    // SAFETY: the caller's reference.
    unsafe { roast_rt_decref(p) };
    text
}

fn decref(p: *mut u8) {
    // SAFETY: tests pass pointers they own.
    unsafe { roast_rt_decref(p) }
}

fn repr(w: u64, d: &TypeDesc) -> String {
    // SAFETY: `w` is a live value of `d`.
    take(unsafe { roast_rt_repr(w, d) })
}

/// Runs `f` with this thread's context and the site arguments, expecting
/// an exception: CPython's last traceback line.
fn raises(f: impl FnOnce(*mut Ctx, *const u8, usize, u64)) -> String {
    with_ctx(|ctx| {
        f(ctx, FILE.as_ptr(), FILE.len(), 1 << 32 | 1);
        // SAFETY: the live context.
        assert_eq!(unsafe { (*ctx).pending }, 1, "no exception");
        // SAFETY: the live context.
        unsafe { take_error(ctx) }.python_line()
    })
}

/// `l.sort(...)` through the ABI, which must not raise.
///
/// # Safety
/// `l` is a live list and `keys` null or a live list.
unsafe fn sort_ok(l: *mut u8, keys: *mut u8, reverse: u8) {
    with_ctx(|ctx| {
        // SAFETY: the caller's guarantee; the live context.
        unsafe { roast_rt_list_sort(ctx, l, keys, reverse, FILE.as_ptr(), FILE.len(), 0) };
        // SAFETY: the live context.
        assert_eq!(unsafe { (*ctx).pending }, 0, "sort raised");
    });
}

/// A list[str] of `items`.
fn str_list(items: &[&str]) -> *mut u8 {
    items.to_word() as *mut u8
}

#[test]
fn repr_of_nested_containers_matches_cpython() {
    let before = live_objects();
    let mut d: IndexMap<String, Vec<(i64, Option<String>, f64)>> = IndexMap::new();
    d.insert(
        "a".into(),
        vec![(1, Some("x".into()), 2.5), (2, None, -0.0)],
    );
    d.insert("it's".into(), vec![]);
    d.insert("é\n".into(), vec![(3, Some("q\"".into()), 1e16)]);
    let w = d.to_word();
    let desc = <IndexMap<String, Vec<(i64, Option<String>, f64)>>>::desc();
    // repr({'a': [(1, 'x', 2.5), (2, None, -0.0)], "it's": [], 'é\n': [(3, 'q"', 1e16)]})
    assert_eq!(
        repr(w, desc),
        r#"{'a': [(1, 'x', 2.5), (2, None, -0.0)], "it's": [], 'é\n': [(3, 'q"', 1e+16)]}"#
    );
    // str() of a container shows its items' repr.
    // SAFETY: a live dict of `desc`.
    assert_eq!(take(unsafe { roast_rt_str(w, desc) }), repr(w, desc));
    decref(w as *mut u8);

    // repr([float('nan'), float('inf'), -1.5, 1e-05])
    let floats = vec![f64::NAN, f64::INFINITY, -1.5, 1e-05];
    let w = floats.to_word();
    assert_eq!(repr(w, list_of(float())), "[nan, inf, -1.5, 1e-05]");
    decref(w as *mut u8);

    // repr((('a',), (), [[]], {1: {2: 3}})), built as compiled code does.
    let one = t(Kind::Tuple, &[str_d()]);
    let empty = t(Kind::Tuple, &[]);
    let lli = list_of(list_of(int()));
    let dii = t(Kind::Dict, &[int(), int()]);
    let ddi = t(Kind::Dict, &[int(), dii]);
    let outer = t(Kind::Tuple, &[one, empty, lli, ddi]);
    // SAFETY: every call gets live objects of the right types; items are
    // stored as owned words at 16 + 8 * i.
    unsafe {
        let a = roast_rt_tuple_new(one);
        *(a.add(16) as *mut u64) = s("a") as u64;
        let inner = roast_rt_list_new(list_of(int()), 0);
        let l = roast_rt_list_new(lli, 4);
        roast_rt_list_append(l, inner as u64);
        decref(inner);
        let d2 = roast_rt_dict_new(dii);
        roast_rt_dict_setitem(d2, 2, 3);
        let d1 = roast_rt_dict_new(ddi);
        roast_rt_dict_setitem(d1, 1, d2 as u64);
        decref(d2);
        let tup = roast_rt_tuple_new(outer);
        for (i, item) in [a, roast_rt_tuple_new(empty), l, d1]
            .into_iter()
            .enumerate()
        {
            *(tup.add(16 + 8 * i) as *mut u64) = item as u64;
        }
        assert_eq!(repr(tup as u64, outer), "(('a',), (), [[]], {1: {2: 3}})");
        decref(tup);
    }

    // repr([True, False]), str(['a', 'b']), str(('x', 'y'))
    let w = [true, false].to_word();
    assert_eq!(repr(w, list_of(t(Kind::Bool, &[]))), "[True, False]");
    decref(w as *mut u8);
    let pair = ("x", "y".to_string());
    let w = pair.to_word();
    // SAFETY: a live tuple of that type.
    let text = take(unsafe { roast_rt_str(w, <(&str, String)>::desc()) });
    assert_eq!(text, "('x', 'y')");
    decref(w as *mut u8);
    assert_eq!(live_objects(), before);
}

#[test]
fn str_of_str_is_itself_and_print_formats() {
    let x = s("héllo");
    // SAFETY: a live str.
    let y = unsafe { roast_rt_str(x as u64, str_d()) };
    assert_eq!(x, y);
    decref(y);
    // repr('héllo\t')
    let z = s("it's\t");
    assert_eq!(repr(z as u64, str_d()), r#""it's\t""#);
    decref(z);
    decref(x);
}

#[test]
fn dict_keeps_insertion_order_after_delete_and_reinsert() {
    let before = live_objects();
    let d_si = t(Kind::Dict, &[str_d(), int()]);
    let key = |k: &str| s(k) as u64;
    with_ctx(|ctx| {
        // SAFETY: live objects of the right types throughout.
        unsafe {
            let d = roast_rt_dict_new(d_si);
            for (k, v) in [("a", 1), ("b", 2), ("c", 3)] {
                let k = key(k);
                roast_rt_dict_setitem(d, k, v);
                decref(k as *mut u8);
            }
            let a = key("a");
            roast_rt_dict_delitem(ctx, d, a, FILE.as_ptr(), FILE.len(), 0);
            roast_rt_dict_setitem(d, a, 4);
            decref(a as *mut u8);
            let b = key("b");
            roast_rt_dict_setitem(d, b, 5);
            decref(b as *mut u8);
            // d = {'a': 1, 'b': 2, 'c': 3}; del d['a']; d['a'] = 4; d['b'] = 5
            assert_eq!(repr(d as u64, d_si), "{'b': 5, 'c': 3, 'a': 4}");
            // Iteration as compiled code does it.
            let mut keys = vec![];
            let mut i = roast_rt_dict_next(d, 0);
            while i >= 0 {
                keys.push(take(roast_rt_dict_key_at(d, i) as *mut u8));
                i = roast_rt_dict_next(d, i + 1);
            }
            assert_eq!(keys, ["b", "c", "a"]);
            assert_eq!(*(d.add(16) as *const u64), 3, "len @16");
            decref(d);
        }
    });
    assert_eq!(live_objects(), before);
}

#[test]
fn dict_churn_matches_an_ordered_model() {
    let before = live_objects();
    let d_ii = t(Kind::Dict, &[int(), int()]);
    let mut model: IndexMap<i64, i64> = IndexMap::new();
    with_ctx(|ctx| {
        // SAFETY: live objects of the right types throughout.
        unsafe {
            let d = roast_rt_dict_new(d_ii);
            for round in 0..5i64 {
                for k in 0..2000 {
                    let k = k * 1024 + round;
                    roast_rt_dict_setitem(d, k as u64, (k * 3) as u64);
                    model.insert(k, k * 3);
                }
                for k in (0..2000).step_by(3) {
                    let k = k * 1024 + round;
                    roast_rt_dict_delitem(ctx, d, k as u64, FILE.as_ptr(), FILE.len(), 0);
                    model.shift_remove(&k);
                }
                // Reinsert a few deleted keys and overwrite old ones.
                for k in (0..2000).step_by(7) {
                    let k = k * 1024;
                    roast_rt_dict_setitem(d, k as u64, 7);
                    model.insert(k, 7);
                }
            }
            assert_eq!((*ctx).pending, 0);
            let got: IndexMap<i64, i64> = IndexMap::from_word(d as u64);
            assert_eq!(got.len(), model.len());
            assert!(got.iter().eq(model.iter()), "order or values differ");
            assert_eq!(roast_rt_dict_contains(d, 3), 0);
            assert_eq!(roast_rt_dict_get(d, 1024 * 7, 99), 7);
            assert_eq!(roast_rt_dict_get(d, 5, 99), 99);
            let copy = roast_rt_dict_copy(d);
            assert_eq!(roast_rt_eq(d as u64, copy as u64, d_ii), 1);
            roast_rt_dict_setitem(copy, 5, 5);
            assert_eq!(roast_rt_eq(d as u64, copy as u64, d_ii), 0);
            decref(copy);
            decref(d);
        }
    });
    assert_eq!(live_objects(), before);
}

#[test]
fn dicts_keyed_by_int_tuples_find_equal_tuples() {
    // Keys of `dict[tuple[int, bool, int], int]` hashed and compared by
    // their item words: each lookup uses a new tuple object equal to (not
    // the same as) the stored key, as `d[(x, y)]` does.
    let before = live_objects();
    let key_d = t(Kind::Tuple, &[int(), t(Kind::Bool, &[]), int()]);
    let d_ti = t(Kind::Dict, &[key_d, int()]);
    let key = |a: i64, b: bool, c: i64| {
        // SAFETY: a fresh tuple of three word items, stored at 16 + 8 * i.
        unsafe {
            let k = roast_rt_tuple_new(key_d);
            for (i, w) in [a as u64, u64::from(b), c as u64].into_iter().enumerate() {
                *(k.add(16 + 8 * i) as *mut u64) = w;
            }
            k
        }
    };
    let triples: Vec<(i64, bool, i64)> = (0..3000i64)
        .map(|i| ((i % 41) - 20, i % 3 == 0, ((i * 7919) << 20) | (i % 5)))
        .collect();
    check_keyed_dict(
        d_ti,
        &triples,
        |(a, b, c)| key(a, b, c),
        |(a, b, c)| vec![(a, !b, c)],
    );
    assert_eq!(live_objects(), before);
}

/// Fills a `dict[K, int]` of type `d_ti` with `keys[n] -> n`, each key an
/// object `make` builds anew, then looks up every key, and the keys
/// `variants` gives for it, through new objects (equal to, not the same
/// as, the stored ones), checking each answer against a model.
fn check_keyed_dict<K: Copy + Eq + std::hash::Hash>(
    d_ti: &'static TypeDesc,
    keys: &[K],
    make: impl Fn(K) -> *mut u8,
    variants: impl Fn(K) -> Vec<K>,
) {
    let mut model: std::collections::HashMap<K, i64> = Default::default();
    // SAFETY: live objects of the right types throughout.
    unsafe {
        let d = roast_rt_dict_new(d_ti);
        for (n, &k) in keys.iter().enumerate() {
            let o = make(k);
            roast_rt_dict_setitem(d, o as u64, n as u64);
            model.insert(k, n as i64);
            decref(o);
        }
        assert_eq!(*(d.add(16) as *const u64), model.len() as u64, "len @16");
        for (&k, &v) in &model {
            let o = make(k);
            assert_eq!(roast_rt_dict_get(d, o as u64, u64::MAX), v as u64);
            decref(o);
            for other in variants(k) {
                let o = make(other);
                let want = model.get(&other).map_or(u64::MAX, |&v| v as u64);
                assert_eq!(roast_rt_dict_get(d, o as u64, u64::MAX), want);
                decref(o);
            }
        }
        decref(d);
    }
}

#[test]
fn dicts_keyed_by_tuples_of_strs_and_ints_find_equal_tuples() {
    // Keys of `dict[tuple[str, int, str], int]` hashed and compared item by
    // item: each lookup uses a new tuple of new strs equal to (not the same
    // objects as) the stored key's, as `d[(a, n, b)]` does; a key differing
    // in one str (or in the int) finds what the model says.
    let before = live_objects();
    let key_d = t(Kind::Tuple, &[str_d(), int(), str_d()]);
    let d_ti = t(Kind::Dict, &[key_d, int()]);
    let key = |a: &str, n: i64, b: &str| {
        // SAFETY: a fresh tuple of three word items, stored at 16 + 8 * i;
        // it takes over the new strs' references.
        unsafe {
            let k = roast_rt_tuple_new(key_d);
            for (i, w) in [s(a) as u64, n as u64, s(b) as u64].into_iter().enumerate() {
                *(k.add(16 + 8 * i) as *mut u64) = w;
            }
            k
        }
    };
    let names = [
        "",
        "a",
        "ab",
        "stone",
        "river",
        "é",
        "a longer word than sixteen bytes",
    ];
    let triples: Vec<(&str, i64, &str)> = (0..2000usize)
        .map(|i| (names[i % 7], (i % 5) as i64 - 2, names[(i * 3 / 7) % 7]))
        .collect();
    check_keyed_dict(
        d_ti,
        &triples,
        |(a, x, b)| key(a, x, b),
        |(a, x, b)| vec![(b, x, a), (a, x + 1, b), (a, x, "zz")],
    );
    assert_eq!(live_objects(), before);
}

#[test]
fn dict_lookups_stay_exact_whatever_the_last_entry_was() {
    // Each lookup first tries the entry last found or added; a random mix
    // of lookups, stores, deletions and rebuilds through equal keys held
    // by different objects must still match a model after every step.
    let before = live_objects();
    let d_si = t(Kind::Dict, &[str_d(), int()]);
    let mut model: IndexMap<String, i64> = IndexMap::new();
    let mut seed: u64 = 12345;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    with_ctx(|ctx| {
        // SAFETY: live objects of the right types throughout.
        unsafe {
            let d = roast_rt_dict_new(d_si);
            for step in 0..20_000i64 {
                let name = format!("w{}", next(300));
                let key = s(&name);
                match next(6) {
                    0 | 1 => {
                        let want = model.get(&name).copied().unwrap_or(-1);
                        assert_eq!(roast_rt_dict_get(d, key as u64, -1i64 as u64) as i64, want);
                    }
                    2 | 3 => {
                        // `d[k] = d.get(k, 0) + 1` with a second object for k.
                        let old = roast_rt_dict_get(d, key as u64, 0) as i64;
                        let again = s(&name);
                        roast_rt_dict_setitem(d, again as u64, (old + step) as u64);
                        decref(again);
                        *model.entry(name).or_insert(0) = old + step;
                    }
                    4 if model.contains_key(&name) => {
                        roast_rt_dict_delitem(ctx, d, key as u64, FILE.as_ptr(), FILE.len(), 0);
                        model.shift_remove(&name);
                    }
                    _ => assert_eq!(
                        roast_rt_dict_contains(d, key as u64) != 0,
                        model.contains_key(&name)
                    ),
                }
                decref(key);
            }
            assert_eq!((*ctx).pending, 0);
            let got: IndexMap<String, i64> = IndexMap::from_word(d as u64);
            assert!(got.iter().eq(model.iter()), "order or values differ");
            decref(d);
        }
    });
    assert_eq!(live_objects(), before);
}

#[test]
fn words_one_at_a_time_are_split() {
    // `for w in s.split():` walks the words with `word_start`/`word_at`,
    // and `s.split()` makes them as it finds them; the words must be
    // Python's (its whitespace, any text).
    let before = live_objects();
    for text in [
        "",
        "   ",
        "one",
        "  lead and\ttrail \n",
        "x\x1cy\x1fz\x0bw\x0cv\rq  ",
        "a\u{85}b\u{a0}c\u{3000}d\u{2028}e\u{200b}f \u{1c}g",
        "héllo  wörld ✓ 日本",
    ] {
        let want: Vec<&str> = text
            .split(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
            .filter(|w| !w.is_empty())
            .collect();
        let obj = s(text);
        let mut got = Vec::new();
        let mut pos = 0;
        // SAFETY: `obj` is a live str; positions come from `word_start`.
        unsafe {
            loop {
                let start = roast_rt_str_word_start(obj, pos);
                if start < 0 {
                    break;
                }
                let word = take(roast_rt_str_word_at(obj, start));
                pos = start + word.len() as i64;
                got.push(word);
            }
            assert_eq!(roast_rt_str_word_start(obj, text.len() as i64), -1);
            with_ctx(|ctx| {
                let (f, n) = (FILE.as_ptr(), FILE.len());
                let list = list_of(str_d());
                let l = roast_rt_str_split(ctx, obj, std::ptr::null_mut(), -1, list, f, n, 0);
                let split = Vec::<String>::from_word(l as u64);
                assert_eq!(split, want, "{text:?}.split()");
                decref(l);
            });
        }
        assert_eq!(got, want, "{text:?}");
        decref(obj);
    }
    assert_eq!(live_objects(), before);
}

/// `roast_rt_str_strip` and its kin.
type StripFn = unsafe extern "C" fn(*mut u8, *mut u8) -> *mut u8;
/// `pystr::strip` and its kin.
type PyStripFn = for<'a> fn(&'a str, Option<&str>) -> &'a str;

#[test]
fn ascii_fast_paths_agree_with_the_general_code() {
    // ASCII strings are sliced byte by byte; `pystr::slice` (checked
    // against CPython in py_cases) is the reference for every start, stop
    // and step, given or omitted, in and beyond the bounds.
    let before = live_objects();
    let text = "abcdefg";
    let obj = s(text);
    let parts = [
        None,
        Some(-9),
        Some(-7),
        Some(-3),
        Some(-1),
        Some(0),
        Some(2),
        Some(6),
        Some(9),
    ];
    let steps = [
        None,
        Some(-8),
        Some(-3),
        Some(-2),
        Some(-1),
        Some(1),
        Some(2),
        Some(3),
        Some(8),
    ];
    for start in parts {
        for stop in parts {
            for step in steps {
                let want = roast_runtime::py::pystr::slice(text, start, stop, step)
                    .expect("a nonzero step");
                let mask = u64::from(start.is_some())
                    | u64::from(stop.is_some()) << 1
                    | u64::from(step.is_some()) << 2;
                let got = with_ctx(|c| {
                    // SAFETY: `obj` is a live str; the live context.
                    take(unsafe {
                        roast_rt_str_slice(
                            c,
                            obj,
                            start.unwrap_or(0),
                            stop.unwrap_or(0),
                            step.unwrap_or(0),
                            mask,
                            FILE.as_ptr(),
                            FILE.len(),
                            0,
                        )
                    })
                });
                assert_eq!(got, want, "{text:?}[{start:?}:{stop:?}:{step:?}]");
            }
        }
    }
    decref(obj);
    // strip, lstrip and rstrip of ASCII text by ASCII characters work on
    // bytes; pystr's (checked against CPython) are the reference.
    let ends: [(StripFn, PyStripFn); 3] = [
        (roast_rt_str_strip, roast_runtime::py::pystr::strip),
        (roast_rt_str_lstrip, roast_runtime::py::pystr::lstrip),
        (roast_rt_str_rstrip, roast_runtime::py::pystr::rstrip),
    ];
    for text in [
        "",
        "   ",
        " ab ",
        "..a,b..",
        "\t\x1cx\x1f\x0b ",
        "abc",
        "x y x",
    ] {
        let obj = s(text);
        for chars in [
            None,
            Some(""),
            Some(" "),
            Some(".,"),
            Some("ab"),
            Some("x"),
            Some("é"),
        ] {
            let set = chars.map(s);
            for (abi, reference) in ends {
                // SAFETY: live strs.
                let got = take(unsafe { abi(obj, set.unwrap_or(std::ptr::null_mut())) });
                assert_eq!(got, reference(text, chars), "{text:?} by {chars:?}");
            }
            if let Some(set) = set {
                decref(set);
            }
        }
        decref(obj);
    }
    // upper and lower map ASCII text byte by byte.
    for text in [
        "",
        "a",
        "Z",
        "ab",
        "Hello, World 42!",
        "héllo",
        "straße",
        "ΟΔΟΣ",
    ] {
        let obj = s(text);
        // SAFETY: `obj` is a live str.
        let (up, low) = unsafe { (take(roast_rt_str_upper(obj)), take(roast_rt_str_lower(obj))) };
        assert_eq!(
            up,
            roast_runtime::py::pystr::upper(text),
            "{text:?}.upper()"
        );
        assert_eq!(
            low,
            roast_runtime::py::pystr::lower(text),
            "{text:?}.lower()"
        );
        decref(obj);
    }
    assert_eq!(live_objects(), before);
}

#[test]
fn dict_equality_ignores_order_and_zero_sign() {
    let d_fi = t(Kind::Dict, &[float(), int()]);
    // SAFETY: live objects of the right types throughout.
    unsafe {
        // {0.0: 1, -0.0: 2} == {0.0: 2} is True: one key.
        let a = roast_rt_dict_new(d_fi);
        roast_rt_dict_setitem(a, 0.0f64.to_bits(), 1);
        roast_rt_dict_setitem(a, (-0.0f64).to_bits(), 2);
        assert_eq!(repr(a as u64, d_fi), "{0.0: 2}");
        // {0.0: 1, -0.0: 2} == {0.0: 2}
        let b = roast_rt_dict_new(d_fi);
        roast_rt_dict_setitem(b, 0.0f64.to_bits(), 2);
        assert_eq!(roast_rt_eq(a as u64, b as u64, d_fi), 1);
        decref(a);
        decref(b);
    }
    let mut x: IndexMap<i64, String> = IndexMap::new();
    x.insert(1, "a".into());
    x.insert(2, "b".into());
    let mut y = IndexMap::new();
    y.insert(2, "b".to_string());
    y.insert(1, "a".to_string());
    let (wx, wy) = (x.to_word(), y.to_word());
    // SAFETY: live dicts of that type.
    let equal = unsafe { roast_rt_eq(wx, wy, <IndexMap<i64, String>>::desc()) };
    assert_eq!(equal, 1);
    decref(wx as *mut u8);
    decref(wy as *mut u8);
}

#[test]
fn exception_messages_match_cpython() {
    // SAFETY: every call gets live objects of the right types, the live
    // context and a static file name.
    unsafe {
        let d_si = t(Kind::Dict, &[str_d(), int()]);
        let tup = t(Kind::Tuple, &[int(), str_d()]);
        let d_ti = t(Kind::Dict, &[tup, int()]);
        let d = roast_rt_dict_new(d_si);
        let b = s("b");
        // {}['b']
        assert_eq!(
            raises(|c, f, n, p| {
                roast_rt_dict_getitem(c, d, b as u64, f, n, p);
            }),
            "KeyError: 'b'"
        );
        // {}.pop('b'), del {}['b']
        assert_eq!(
            raises(|c, f, n, p| {
                roast_rt_dict_pop(c, d, b as u64, f, n, p);
            }),
            "KeyError: 'b'"
        );
        assert_eq!(
            raises(|c, f, n, p| { roast_rt_dict_delitem(c, d, b as u64, f, n, p) }),
            "KeyError: 'b'"
        );
        // {}.popitem()
        assert_eq!(
            raises(|c, f, n, p| {
                roast_rt_dict_popitem(c, d, t(Kind::Tuple, &[str_d(), int()]), f, n, p);
            }),
            "KeyError: 'popitem(): dictionary is empty'"
        );
        decref(d);
        decref(b);
        // {}[5]
        let d = roast_rt_dict_new(t(Kind::Dict, &[int(), int()]));
        assert_eq!(
            raises(|c, f, n, p| {
                roast_rt_dict_getitem(c, d, 5, f, n, p);
            }),
            "KeyError: 5"
        );
        decref(d);
        // {}[(1, 'a')]
        let d = roast_rt_dict_new(d_ti);
        let k = (1i64, "a").to_word();
        assert_eq!(
            raises(|c, f, n, p| {
                roast_rt_dict_getitem(c, d, k, f, n, p);
            }),
            "KeyError: (1, 'a')"
        );
        decref(k as *mut u8);
        decref(d);

        let l = [1i64, 2].to_word() as *mut u8;
        // [1, 2][5], [1, 2][5] = 0, del [1, 2][-3]
        assert_eq!(
            raises(|c, f, n, p| {
                roast_rt_list_getitem(c, l, 5, f, n, p);
            }),
            "IndexError: list index out of range"
        );
        assert_eq!(
            raises(|c, f, n, p| { roast_rt_list_setitem(c, l, 5, 0, f, n, p) }),
            "IndexError: list assignment index out of range"
        );
        assert_eq!(
            raises(|c, f, n, p| { roast_rt_list_delitem(c, l, -3, f, n, p) }),
            "IndexError: list assignment index out of range"
        );
        // [1, 2].pop(5); [1, 2].index(5); [1, 2].remove(5)
        assert_eq!(
            raises(|c, f, n, p| {
                roast_rt_list_pop(c, l, 5, 1, f, n, p);
            }),
            "IndexError: pop index out of range"
        );
        assert_eq!(
            raises(|c, f, n, p| {
                roast_rt_list_index(c, l, 5, f, n, p);
            }),
            "ValueError: 5 is not in list"
        );
        assert_eq!(
            raises(|c, f, n, p| { roast_rt_list_remove(c, l, 5, f, n, p) }),
            "ValueError: list.remove(x): x not in list"
        );
        // format([1, 2], 'x')
        let spec = s("x");
        assert_eq!(
            raises(|c, f, n, p| {
                roast_rt_format(c, l as u64, list_of(int()), spec, f, n, p);
            }),
            "TypeError: unsupported format string passed to list.__format__"
        );
        decref(spec);
        decref(l);
        // [].pop(); max([]); min([])
        let e = roast_rt_list_new(list_of(int()), 0);
        assert_eq!(
            raises(|c, f, n, p| {
                roast_rt_list_pop(c, e, 0, 0, f, n, p);
            }),
            "IndexError: pop from empty list"
        );
        assert_eq!(
            raises(|c, f, n, p| {
                roast_rt_list_minmax(c, e, 1, f, n, p);
            }),
            "ValueError: max() arg is an empty sequence"
        );
        assert_eq!(
            raises(|c, f, n, p| {
                roast_rt_list_minmax(c, e, 0, f, n, p);
            }),
            "ValueError: min() arg is an empty sequence"
        );
        decref(e);
        // ['a'].index('b')
        let l = str_list(&["a"]);
        let b = s("b");
        assert_eq!(
            raises(|c, f, n, p| {
                roast_rt_list_index(c, l, b as u64, f, n, p);
            }),
            "ValueError: 'b' is not in list"
        );
        decref(l);
        // 'ab'[5]; 'ab'.index('z'); 'ab'.split(''); ord('ab'); 'ab'.center(5, 'xy')
        let ab = s("ab");
        let z = s("z");
        let empty = s("");
        assert_eq!(
            raises(|c, f, n, p| {
                roast_rt_str_getitem(c, ab, 5, f, n, p);
            }),
            "IndexError: string index out of range"
        );
        assert_eq!(
            raises(|c, f, n, p| {
                roast_rt_str_index(c, ab, z, 0, 0, 0, f, n, p);
            }),
            "ValueError: substring not found"
        );
        assert_eq!(
            raises(|c, f, n, p| {
                roast_rt_str_split(c, ab, empty, -1, list_of(str_d()), f, n, p);
            }),
            "ValueError: empty separator"
        );
        assert_eq!(
            raises(|c, f, n, p| {
                roast_rt_ord(c, ab, f, n, p);
            }),
            "TypeError: ord() expected a character, but string of length 2 found"
        );
        let xy = s("xy");
        assert_eq!(
            raises(|c, f, n, p| {
                roast_rt_str_center(c, ab, 5, xy, f, n, p);
            }),
            "TypeError: The fill character must be exactly one character long"
        );
        // 'ab' * 2**62
        assert_eq!(
            raises(|c, f, n, p| {
                roast_rt_str_repeat(c, ab, 1 << 62, f, n, p);
            }),
            "OverflowError: repeated string is too long"
        );
        // 'ab'[::0]
        assert_eq!(
            raises(|c, f, n, p| {
                roast_rt_str_slice(c, ab, 0, 0, 0, 4, f, n, p);
            }),
            "ValueError: slice step cannot be zero"
        );
        for p in [ab, z, empty, xy, b] {
            decref(p);
        }
        // chr(-1); chr(2**31); int('x2'); float('x'); int('9' * 20)
        assert_eq!(
            raises(|c, f, n, p| {
                roast_rt_chr(c, -1, f, n, p);
            }),
            "ValueError: chr() arg not in range(0x110000)"
        );
        assert_eq!(
            raises(|c, f, n, p| {
                roast_rt_chr(c, 1 << 31, f, n, p);
            }),
            "OverflowError: Python int too large to convert to C int"
        );
        let x2 = s("x2");
        assert_eq!(
            raises(|c, f, n, p| {
                roast_rt_int_parse(c, x2, f, n, p);
            }),
            "ValueError: invalid literal for int() with base 10: 'x2'"
        );
        decref(x2);
        let x = s("x");
        assert_eq!(
            raises(|c, f, n, p| {
                roast_rt_float_parse(c, x, f, n, p);
            }),
            "ValueError: could not convert string to float: 'x'"
        );
        decref(x);
        let big = s(&"9".repeat(20));
        assert_eq!(
            raises(|c, f, n, p| {
                roast_rt_int_parse(c, big, f, n, p);
            }),
            format!("OverflowError: {INT_OVERFLOW_MESSAGE}")
        );
        decref(big);
    }
}

#[test]
fn sort_is_stable_with_reverse_like_cpython() {
    let before = live_objects();
    let items = vec![
        (1i64, "a".to_string()),
        (0, "b".into()),
        (1, "c".into()),
        (0, "d".into()),
    ];
    let tup = <(i64, String)>::desc();
    // SAFETY: live lists of the right types throughout.
    unsafe {
        let l = items.to_word() as *mut u8;
        let keys = [1i64, 0, 1, 0].to_word() as *mut u8;
        // sorted(l, key=lambda t: t[0], reverse=True)
        let r = roast_rt_list_sorted(l, keys, 1);
        assert_eq!(
            repr(r as u64, list_of(tup)),
            "[(1, 'a'), (1, 'c'), (0, 'b'), (0, 'd')]"
        );
        decref(r);
        // l.sort(key=lambda t: t[0])
        sort_ok(l, keys, 0);
        assert_eq!(
            repr(l as u64, list_of(tup)),
            "[(0, 'b'), (0, 'd'), (1, 'a'), (1, 'c')]"
        );
        decref(keys);
        // Keys for fewer elements than the list has now (a key function
        // added to it): CPython's error, and the list left as it was.
        let short = [1i64, 0, 1].to_word() as *mut u8;
        let message = raises(|c, f, n, p| roast_rt_list_sort(c, l, short, 0, f, n, p));
        assert_eq!(message, "ValueError: list modified during sort");
        assert_eq!(
            repr(l as u64, list_of(tup)),
            "[(0, 'b'), (0, 'd'), (1, 'a'), (1, 'c')]"
        );
        decref(short);
        decref(l);

        // sorted([3.5, -1.0, 2.0, -0.0, 0.0], reverse=True)
        let f = [3.5f64, -1.0, 2.0, -0.0, 0.0].to_word() as *mut u8;
        sort_ok(f, std::ptr::null_mut(), 1);
        assert_eq!(
            repr(f as u64, list_of(float())),
            "[3.5, 2.0, -0.0, 0.0, -1.0]"
        );
        decref(f);
        // sorted(['b', 'é', 'a', 'B', ''])
        let l = str_list(&["b", "é", "a", "B", ""]);
        sort_ok(l, std::ptr::null_mut(), 0);
        assert_eq!(repr(l as u64, list_of(str_d())), "['', 'B', 'a', 'b', 'é']");
        decref(l);
        // sorted([[1, 2], [1], [0, 5], []])
        let l = vec![vec![1i64, 2], vec![1], vec![0, 5], vec![]].to_word() as *mut u8;
        sort_ok(l, std::ptr::null_mut(), 0);
        assert_eq!(
            repr(l as u64, list_of(list_of(int()))),
            "[[], [0, 5], [1], [1, 2]]"
        );
        decref(l);
        // A large int list against the standard library's sort.
        let v: Vec<i64> = (0..5000).map(|i: i64| (i * 7919) % 1009 - 500).collect();
        let l = v.to_word() as *mut u8;
        sort_ok(l, std::ptr::null_mut(), 1);
        let mut want = v.clone();
        want.sort_by(|a, b| b.cmp(a));
        assert_eq!(Vec::<i64>::from_word(l as u64), want);
        decref(l);
    }
    assert_eq!(live_objects(), before);
}

#[test]
fn min_max_and_sums_follow_cpython() {
    with_ctx(|ctx| {
        let site = (FILE.as_ptr(), FILE.len(), 0);
        // SAFETY: live lists, the live context, a static site.
        unsafe {
            // max([nan, 1.0]) is nan; max([1.0, nan]) is 1.0
            let a = [f64::NAN, 1.0].to_word() as *mut u8;
            let b = [1.0, f64::NAN].to_word() as *mut u8;
            assert!(
                f64::from_bits(roast_rt_list_minmax(ctx, a, 1, site.0, site.1, site.2)).is_nan()
            );
            assert_eq!(
                f64::from_bits(roast_rt_list_minmax(ctx, b, 1, site.0, site.1, site.2)),
                1.0
            );
            decref(a);
            decref(b);
            // max([(1, 'a'), (1, 'b'), (0, 'z')]) is (1, 'b'); min gives (0, 'z')
            let l = vec![(1i64, "a"), (1, "b"), (0, "z")].to_word() as *mut u8;
            let tl = list_of(<(i64, &str)>::desc());
            let m = roast_rt_list_minmax(ctx, l, 1, site.0, site.1, site.2);
            assert_eq!(repr(m, tl.param(0)), "(1, 'b')");
            decref(m as *mut u8);
            let m = roast_rt_list_minmax(ctx, l, 0, site.0, site.1, site.2);
            assert_eq!(repr(m, tl.param(0)), "(0, 'z')");
            decref(m as *mut u8);
            decref(l);
            // sum([2**62, 2**62, -2**62]) == 4611686018427387904
            let l = [1i64 << 62, 1 << 62, -(1 << 62)].to_word() as *mut u8;
            assert_eq!(
                roast_rt_list_sum_int(ctx, l, 0, site.0, site.1, site.2),
                1 << 62
            );
            assert_eq!((*ctx).pending, 0);
            roast_rt_list_sum_int(ctx, l, 1 << 62, site.0, site.1, site.2);
            assert_eq!(take_error(ctx).message(), INT_OVERFLOW_MESSAGE);
            decref(l);
            // sum([0.1] * 10) == 0.9999999999999999
            let l = vec![0.1f64; 10].to_word() as *mut u8;
            assert_eq!(roast_rt_list_sum_float(l, 0.0), 0.9999999999999999);
            decref(l);
        }
    });
}

#[test]
fn list_mutation_matches_cpython() {
    let before = live_objects();
    let li = list_of(int());
    // SAFETY: live lists of `li`.
    unsafe {
        // l = [1, 2]; l.extend(l)
        let l = [1i64, 2].to_word() as *mut u8;
        roast_rt_list_extend(l, l);
        assert_eq!(repr(l as u64, li), "[1, 2, 1, 2]");
        decref(l);
        // l = [1, 2, 3]; l.insert(-10, 0); l.insert(100, 9); l.insert(-1, 7)
        let l = [1i64, 2, 3].to_word() as *mut u8;
        roast_rt_list_insert(l, -10, 0);
        roast_rt_list_insert(l, 100, 9);
        roast_rt_list_insert(l, -1, 7);
        assert_eq!(repr(l as u64, li), "[0, 1, 2, 3, 7, 9]");
        // l[::-2], l[1:5:2], l[-2:]
        let with = |start, stop, step, mask| {
            with_ctx(|ctx| {
                let r = roast_rt_list_slice(ctx, l, start, stop, step, mask, FILE.as_ptr(), 0, 0);
                let text = repr(r as u64, li);
                decref(r);
                text
            })
        };
        assert_eq!(with(0, 0, -2, 0b100), "[9, 3, 1]");
        assert_eq!(with(1, 5, 2, 0b111), "[1, 3]");
        assert_eq!(with(-2, 0, 0, 0b001), "[7, 9]");
        // l * 2, l + l, l.count(3), 3 in l, l.index(7)
        let r = with_ctx(|ctx| roast_rt_list_repeat(ctx, l, 2, FILE.as_ptr(), 0, 0));
        let c = roast_rt_list_concat(l, l);
        assert_eq!(roast_rt_eq(r as u64, c as u64, li), 1);
        assert_eq!(roast_rt_list_count(c, 3), 2);
        assert_eq!(roast_rt_list_contains(c, 8), 0);
        decref(r);
        decref(c);
        roast_rt_list_reverse(l);
        assert_eq!(repr(l as u64, li), "[9, 7, 3, 2, 1, 0]");
        roast_rt_list_clear(l);
        assert_eq!(repr(l as u64, li), "[]");
        decref(l);
        // [1, 2] < [1, 2, 3], [1, 2] <= [1, 2], [1, 3] < [1, 2, 9]
        let a = [1i64, 2].to_word();
        let b = [1i64, 2, 3].to_word();
        let c = [1i64, 3].to_word();
        assert_eq!(roast_rt_lt(a, b, li), 1);
        assert_eq!(roast_rt_le(a, a, li), 1);
        assert_eq!(roast_rt_lt(a, a, li), 0);
        assert_eq!(roast_rt_lt(c, b, li), 0);
        for p in [a, b, c] {
            decref(p as *mut u8);
        }
    }
    assert_eq!(live_objects(), before);
}

#[test]
fn str_iadd_in_a_loop_is_amortized_linear() {
    let before = live_objects();
    let piece = s("ab");
    let mut acc = s("");
    let mut caps = vec![];
    let mut moves = 0;
    for _ in 0..100_000 {
        // SAFETY: `acc` is owned (and consumed), `piece` borrowed.
        let next = unsafe { roast_rt_str_iadd(acc, piece) };
        if next != acc {
            moves += 1;
        }
        acc = next;
        // SAFETY: the ABI layout: cap @32.
        let cap = unsafe { *(acc.add(32) as *const u64) };
        if caps.last() != Some(&cap) {
            caps.push(cap);
        }
    }
    // Capacity at least doubles at each growth: about log2(200000) sizes.
    assert!(caps.len() < 24, "{} capacities: {caps:?}", caps.len());
    assert!(caps.windows(2).all(|w| w[1] >= 2 * w[0]), "{caps:?}");
    assert!(moves < 24, "{moves} moves");
    // SAFETY: the ABI layout: len @16, chars @24.
    unsafe {
        assert_eq!(*(acc.add(16) as *const u64), 200_000);
        assert_eq!(*(acc.add(24) as *const u64), 200_000);
    }
    let text = take(acc);
    assert!(text.len() == 200_000 && text.starts_with("abab"));
    // A shared string is copied, not changed.
    let a = s("xy");
    // SAFETY: live strs; the extra reference is the caller's.
    unsafe {
        roast_rt_incref(a);
        let r = roast_rt_str_iadd(a, piece);
        assert_ne!(r, a);
        assert_eq!(take(r), "xyab");
        assert_eq!(take(a), "xy");
        // s += s
        let b = s("é!");
        let r = roast_rt_str_iadd(b, b);
        assert_eq!(take(r), "é!é!");
    }
    decref(piece);
    assert_eq!(live_objects(), before);
}

#[test]
fn non_ascii_strings_index_and_slice_by_code_point() {
    let before = live_objects();
    with_ctx(|ctx| {
        let (f, n) = (FILE.as_ptr(), FILE.len());
        // SAFETY: live strs, the live context, a static site.
        unsafe {
            let jp = s("日本語テキスト");
            // '日本語テキスト'[1:6:2]
            assert_eq!(
                take(roast_rt_str_slice(ctx, jp, 1, 6, 2, 0b111, f, n, 0)),
                "本テス"
            );
            let h = s("héllo");
            // 'héllo'[::-2], 'héllo'[-1], 'héllo'[1]
            assert_eq!(
                take(roast_rt_str_slice(ctx, h, 0, 0, -2, 0b100, f, n, 0)),
                "olh"
            );
            assert_eq!(take(roast_rt_str_getitem(ctx, h, -1, f, n, 0)), "o");
            assert_eq!(take(roast_rt_str_getitem(ctx, h, 1, f, n, 0)), "é");
            let u = s("ñandú");
            // 'ñandú'[4:0:-1]
            assert_eq!(
                take(roast_rt_str_slice(ctx, u, 4, 0, -1, 0b111, f, n, 0)),
                "údna"
            );
            // '日本語テキスト'.find('テ'), .count(''), .startswith('本', 1)
            let te = s("テ");
            let empty = s("");
            let hon = s("本");
            assert_eq!(roast_rt_str_find(jp, te, 0, 0, 0), 3);
            assert_eq!(roast_rt_str_find(jp, te, 4, 0, 1), -1);
            assert_eq!(roast_rt_str_count(jp, empty, 0, 0, 0), 8);
            assert_eq!(roast_rt_str_startswith(jp, hon, 1, 0, 1), 1);
            // list('héllo')
            let l = roast_rt_list_from_str(h, list_of(str_d()));
            assert_eq!(
                repr(l as u64, list_of(str_d())),
                "['h', 'é', 'l', 'l', 'o']"
            );
            let joined = roast_rt_str_join(empty, l);
            assert_eq!(take(joined), "héllo");
            decref(l);
            // ' a\u2028b\r\nc\x1c'.splitlines()
            let text = s(" a\u{2028}b\r\nc\x1c");
            let l = roast_rt_str_splitlines(text, list_of(str_d()));
            assert_eq!(repr(l as u64, list_of(str_d())), "[' a', 'b', 'c']");
            decref(l);
            // 'ǆungla they\'re'.title(), 'straße'.upper(), chr(233), ord('é')
            let x = s("ǆungla they're");
            assert_eq!(take(roast_rt_str_title(x)), "ǅungla They'Re");
            let y = s("straße");
            assert_eq!(take(roast_rt_str_upper(y)), "STRASSE");
            assert_eq!(take(roast_rt_chr(ctx, 233, f, n, 0)), "é");
            let e = s("é");
            assert_eq!(roast_rt_ord(ctx, e, f, n, 0), 233);
            assert_eq!((*ctx).pending, 0);
            for p in [jp, h, u, te, empty, hon, text, x, y, e] {
                decref(p);
            }
        }
    });
    assert_eq!(live_objects(), before);
}

#[test]
fn format_dispatches_on_type_like_cpython() {
    let before = live_objects();
    with_ctx(|ctx| {
        let (f, n) = (FILE.as_ptr(), FILE.len());
        let fmt = |w: u64, d: &TypeDesc, spec: &str| {
            let spec = s(spec);
            // SAFETY: a live value of `d`, a live spec, the live context.
            let r = unsafe { roast_rt_format(ctx, w, d, spec, f, n, 0) };
            decref(spec);
            take(r)
        };
        let b = t(Kind::Bool, &[]);
        // format(True, 'd'), format(True, ''), format(False, '>5')
        assert_eq!(fmt(1, b, "d"), "1");
        assert_eq!(fmt(1, b, ""), "True");
        assert_eq!(fmt(0, b, ">5"), "    0");
        // format(2.5, '>8.3f'), format('é', '^5'), format(-3, '+05d')
        assert_eq!(fmt(2.5f64.to_bits(), float(), ">8.3f"), "   2.500");
        let e = s("é");
        assert_eq!(fmt(e as u64, str_d(), "^5"), "  é  ");
        decref(e);
        assert_eq!(fmt(-3i64 as u64, int(), "+05d"), "-0003");
        // format([1], ''), format(None, '')
        let l = [1i64].to_word();
        assert_eq!(fmt(l, list_of(int()), ""), "[1]");
        decref(l as *mut u8);
        let oi = t(Kind::Optional, &[int()]);
        assert_eq!(fmt(0, oi, ""), "None");
        // int | None holding 7: a box
        let boxed = Some(7i64).to_word();
        assert_eq!(fmt(boxed, oi, "03"), "007");
        decref(boxed as *mut u8);
    });
    assert_eq!(live_objects(), before);
}

#[test]
fn nested_containers_release_everything() {
    let before = live_objects();
    let tup = t(Kind::Tuple, &[str_d(), str_d()]);
    let dict = t(Kind::Dict, &[str_d(), tup]);
    let ld = list_of(dict);
    with_ctx(|ctx| {
        let (f, n) = (FILE.as_ptr(), FILE.len());
        // SAFETY: live objects of the right types throughout.
        unsafe {
            let l = roast_rt_list_new(ld, 0);
            for i in 0..50 {
                let d = roast_rt_dict_new(dict);
                for j in 0..20 {
                    let k = s(&format!("k{j}é"));
                    let v = roast_rt_tuple_new(tup);
                    *(v.add(16) as *mut u64) = s(&format!("a{i}")) as u64;
                    *(v.add(24) as *mut u64) = s(&"b".repeat(j)) as u64;
                    roast_rt_dict_setitem(d, k as u64, v as u64);
                    decref(v);
                    decref(k);
                }
                roast_rt_list_append(l, d as u64);
                decref(d);
            }
            let copy = roast_rt_list_copy(l);
            let sl = roast_rt_list_slice(ctx, l, 0, 0, -3, 0b100, f, n, 0);
            let entry = t(Kind::Tuple, &[str_d(), tup]);
            let d3 = roast_rt_list_getitem(ctx, l, 3, f, n, 0) as *mut u8;
            let items = roast_rt_dict_items(d3, list_of(entry));
            decref(d3);
            let d0 = roast_rt_list_pop(ctx, l, 0, 1, f, n, 0) as *mut u8;
            let popped = roast_rt_dict_popitem(ctx, d0, entry, f, n, 0);
            let other = roast_rt_dict_copy(d0);
            roast_rt_dict_update(d0, other);
            roast_rt_dict_clear(other);
            let keys = roast_rt_dict_keys(d0, list_of(str_d()));
            let values = roast_rt_dict_values(d0, list_of(tup));
            let text = take(roast_rt_repr(l as u64, ld));
            assert!(text.starts_with("[{'k0é': ('a1', ''), 'k1é': ('a1', 'b'),"));
            roast_rt_list_delitem(ctx, l, 0, f, n, 0);
            roast_rt_list_setitem(ctx, l, 0, d0 as u64, f, n, 0);
            roast_rt_list_remove(ctx, copy, d0 as u64, f, n, 0);
            assert_eq!((*ctx).pending, 0);
            for p in [copy, sl, items, d0, popped, other, keys, values, l] {
                decref(p);
            }
        }
    });
    assert_eq!(live_objects(), before);
}

#[test]
fn boundary_round_trips() {
    let before = live_objects();
    // SAFETY: every word was made by `to_word` on this thread and is live.
    unsafe {
        let v = vec![
            "héllo".to_string(),
            "日本".into(),
            String::new(),
            "😀x".into(),
        ];
        let w = v.to_word();
        assert_eq!(Vec::<String>::from_word(w), v);
        assert_eq!(
            repr(w, <Vec<String>>::desc()),
            "['héllo', '日本', '', '😀x']"
        );
        // len @16 and chars @24 of the second string.
        let second = *((*((w as *const u8).add(32) as *const *const u64)).add(1)) as *const u8;
        assert_eq!(
            (
                *(second.add(16) as *const u64),
                *(second.add(24) as *const u64)
            ),
            (6, 2)
        );
        decref(w as *mut u8);

        let slice: &[&str] = &["a", "b"];
        let w = slice.to_word();
        assert_eq!(Vec::<String>::from_word(w), ["a", "b"]);
        decref(w as *mut u8);

        let mut m: IndexMap<String, Vec<f64>> = IndexMap::new();
        m.insert("z".into(), vec![1.5, -0.0]);
        m.insert("a".into(), vec![]);
        m.insert("m".into(), vec![f64::INFINITY]);
        let w = m.to_word();
        let back: IndexMap<String, Vec<f64>> = IndexMap::from_word(w);
        assert_eq!(back.keys().collect::<Vec<_>>(), ["z", "a", "m"]);
        assert_eq!(back, m);
        decref(w as *mut u8);

        for x in [Some(-5i64), None] {
            let w = x.to_word();
            assert_eq!(Option::<i64>::from_word(w), x);
            assert_eq!(
                repr(w, <Option<i64>>::desc()),
                x.map_or("None".into(), |v| v.to_string())
            );
            decref(w as *mut u8);
        }
        let w = Some("s".to_string()).to_word();
        assert_eq!(Option::<String>::from_word(w).as_deref(), Some("s"));
        decref(w as *mut u8);

        let quad = (1i64, 2.5f64, true, vec![Some(3i64), None]);
        let w = quad.to_word();
        assert_eq!(<(i64, f64, bool, Vec<Option<i64>>)>::from_word(w), quad);
        assert_eq!(
            repr(w, <(i64, f64, bool, Vec<Option<i64>>)>::desc()),
            "(1, 2.5, True, [3, None])"
        );
        decref(w as *mut u8);

        let ints: Vec<i64> = (0..1000).collect();
        let w = ints.to_word();
        assert_eq!(Vec::<i64>::from_word(w), ints);
        decref(w as *mut u8);
        <()>::from_word(0);
    }
    assert_eq!(live_objects(), before);
}

#[test]
fn str_methods_and_comparisons_match_cpython() {
    let before = live_objects();
    let ls = list_of(str_d());
    with_ctx(|ctx| {
        let (f, n) = (FILE.as_ptr(), FILE.len());
        // SAFETY: live strs and lists, the live context, a static site.
        unsafe {
            let text = s(" a  b ");
            let l = roast_rt_str_split(ctx, text, std::ptr::null_mut(), 1, ls, f, n, 0);
            // ' a  b '.split(None, 1)
            assert_eq!(repr(l as u64, ls), "['a', 'b ']");
            decref(l);
            let csv = s("a,b,c");
            let comma = s(",");
            let l = roast_rt_str_rsplit(ctx, csv, comma, 1, ls, f, n, 0);
            // 'a,b,c'.rsplit(',', 1)
            assert_eq!(repr(l as u64, ls), "['a,b', 'c']");
            decref(l);
            // 'xxhixx'.strip('x'), ' a  b '.rstrip()
            let xs = s("xxhixx");
            let x = s("x");
            assert_eq!(take(roast_rt_str_strip(xs, x)), "hi");
            assert_eq!(
                take(roast_rt_str_rstrip(text, std::ptr::null_mut())),
                " a  b"
            );
            // 'aaa'.replace('a', 'b', 2), '-42'.zfill(5), 'ab'.ljust(5, 'é')
            let aaa = s("aaa");
            let (a, b) = (s("a"), s("b"));
            assert_eq!(take(roast_rt_str_replace(aaa, a, b, 2)), "bba");
            let m42 = s("-42");
            assert_eq!(take(roast_rt_str_zfill(ctx, m42, 5, f, n, 0)), "-0042");
            let ab = s("ab");
            let e = s("é");
            assert_eq!(take(roast_rt_str_ljust(ctx, ab, 5, e, f, n, 0)), "abééé");
            // ','.join(['a', 'é'])
            let l = str_list(&["a", "é"]);
            assert_eq!(take(roast_rt_str_join(comma, l)), "a,é");
            decref(l);
            // 'ABC1'.isupper(), '½'.isnumeric(), '½'.isdigit(), 'x'.capitalize()
            let upper = s("ABC1");
            let half = s("½");
            assert_eq!(roast_rt_str_isupper(upper), 1);
            assert_eq!(roast_rt_str_isnumeric(half), 1);
            assert_eq!(roast_rt_str_isdigit(half), 0);
            assert_eq!(take(roast_rt_str_capitalize(x)), "X");
            // 'hello'.endswith('ll', 0, 4), 'aXbXc'.rfind('X'), 'aXbXc'.count('X', 2)
            let hello = s("hello");
            let ll = s("ll");
            assert_eq!(roast_rt_str_endswith(hello, ll, 0, 4, 0b11), 1);
            let axbxc = s("aXbXc");
            let big_x = s("X");
            assert_eq!(roast_rt_str_rfind(axbxc, big_x, 0, 0, 0), 3);
            assert_eq!(roast_rt_str_count(axbxc, big_x, 2, 0, 0b01), 1);
            assert_eq!(roast_rt_str_contains(axbxc, big_x), 1);
            // 'b' < 'é', 'ab' <= 'ab', (1, 'b') < (1, 'a')
            assert_eq!(roast_rt_lt(b as u64, e as u64, str_d()), 1);
            assert_eq!(roast_rt_le(ab as u64, ab as u64, str_d()), 1);
            let t1 = (1i64, "b").to_word();
            let t2 = (1i64, "a").to_word();
            assert_eq!(roast_rt_lt(t1, t2, <(i64, &str)>::desc()), 0);
            assert_eq!(roast_rt_lt(t2, t1, <(i64, &str)>::desc()), 1);
            decref(t1 as *mut u8);
            decref(t2 as *mut u8);
            // None == None, None == 5 (as int | None)
            let oi = t(Kind::Optional, &[int()]);
            let five = Some(5i64).to_word();
            let other_five = Some(5i64).to_word();
            assert_eq!(roast_rt_eq(0, 0, oi), 1);
            assert_eq!(roast_rt_eq(0, five, oi), 0);
            assert_eq!(roast_rt_eq(five, other_five, oi), 1);
            decref(five as *mut u8);
            decref(other_five as *mut u8);
            assert_eq!((*ctx).pending, 0);
            for p in [
                text, csv, comma, xs, x, aaa, a, b, m42, ab, e, upper, half, hello, ll, axbxc,
                big_x,
            ] {
                decref(p);
            }
        }
    });
    assert_eq!(live_objects(), before);
}
