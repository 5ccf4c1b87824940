//! Calls Roast functions compiled by build.rs.

roast::include_bindings!("geo");

fn main() {
    println!("area(3, 4) = {}", geometry::area(3.0, 4.0));
    println!("circle_area(1) = {}", geometry::circle_area(1.0));
    println!(
        "is_right_triangle(3, 4, 5) = {}",
        geometry::is_right_triangle(3, 4, 5)
    );
    println!("fib(50) = {}", stats::fib(50));
    println!("collatz_steps(27) = {}", stats::collatz_steps(27));
    match stats::try_mean_floor(10, 0) {
        Ok(v) => println!("mean_floor(10, 0) = {v}"),
        Err(e) => println!("mean_floor(10, 0) raised {e}"),
    }
    match stats::try_fib(100) {
        Ok(v) => println!("fib(100) = {v}"),
        Err(e) => println!("fib(100) raised {}", e.kind()),
    }
    let text = "The cat saw the dog. The dog ran; the cat sat. Ünïcode, ünïcode!";
    println!("{}", text::banner(" words ", 30));
    for (word, n) in text::top_words(text, 3) {
        println!("{word:>8} {n}");
    }
    println!("total([1, 2, 3]) = {}", text::total(&[1, 2, 3]));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_division_arrives_as_err() {
        let e = stats::try_mean_floor(1, 0).unwrap_err();
        assert_eq!(e.kind(), "ZeroDivisionError");
        assert_eq!(e.message(), "integer division or modulo by zero");
        assert_eq!(e.location().file(), "roast/stats.roast");
        assert_eq!(e.location().line(), 6);
    }

    #[test]
    fn panicking_form_panics_with_the_error_text() {
        let payload = std::panic::catch_unwind(|| stats::mean_floor(1, 0)).unwrap_err();
        let text = payload.downcast_ref::<String>().expect("a formatted panic");
        assert!(
            text.starts_with(
                "ZeroDivisionError: integer division or modulo by zero (at roast/stats.roast:6:"
            ),
            "{text}"
        );
    }

    #[test]
    fn many_threads_call_roast_at_once() {
        let work = |seed: i64| -> Vec<String> {
            (0..200)
                .map(|i| {
                    let n = (seed * 7 + i) % 100;
                    match stats::try_fib(n) {
                        Ok(v) => format!("{v} {}", stats::collatz_steps(n + 1)),
                        Err(e) => e.to_string(),
                    }
                })
                .collect()
        };
        let sequential: Vec<Vec<String>> = (0..8).map(work).collect();
        let handles: Vec<_> = (0..8)
            .map(|seed| std::thread::spawn(move || work(seed)))
            .collect();
        let parallel: Vec<Vec<String>> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(parallel, sequential);
        assert!(sequential
            .concat()
            .iter()
            .any(|r| r.starts_with("OverflowError")));
    }

    #[test]
    fn long_fibonacci_overflows() {
        assert_eq!(stats::fib(91), 4660046610375530309);
        assert_eq!(stats::try_fib(92).unwrap_err().kind(), "OverflowError");
    }
}
