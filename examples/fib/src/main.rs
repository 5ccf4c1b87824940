//! Calls Roast functions brought in by `include_roast!` (no build.rs).

mod fib {
    roast::include_roast!("src/fib.roast");
}

fn main() {
    for n in [10, 20, 30] {
        println!("fib({n}) = {}", fib::fib(n));
    }
    println!("ratio(40) = {}", fib::ratio(40));
    println!("parity_matches(11) = {}", fib::parity_matches(11));
    match fib::try_fib_iter(100) {
        Ok(v) => println!("fib_iter(100) = {v}"),
        Err(e) => println!("fib_iter(100) raised {e}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn values_cross_the_boundary() {
        assert_eq!(super::fib::fib(20), 6765);
        assert_eq!(super::fib::ratio(1), 1.0);
    }

    #[test]
    fn overflow_is_an_error_value() {
        let e = super::fib::try_fib_iter(93).unwrap_err();
        assert_eq!(e.kind(), "OverflowError");
        assert_eq!(e.location().file(), "src/fib.roast");
    }
}
