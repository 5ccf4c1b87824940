fn main() {
    roast_build::Build::new()
        .file("roast/geometry.roast")
        .file("roast/stats.roast")
        .file("roast/text.roast")
        .compile("geo");
}
