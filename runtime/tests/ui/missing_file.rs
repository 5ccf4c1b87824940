mod nothing {
    roast::include_roast!("tests/ui/does_not_exist.roast");
}

fn main() {}
