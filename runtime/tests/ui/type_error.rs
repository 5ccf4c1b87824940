mod half {
    roast::include_roast!("tests/ui/type_error.roast");
}

fn main() {
    let _ = half::half(4);
}
