//! Compiles the benchmark kernels (`kernels/`) and the call-overhead helpers
//! (`extra/`) into two libraries, `kernels` and `extra`.

fn main() {
    roast_build::Build::new().dir("kernels").compile("kernels");
    roast_build::Build::new().dir("extra").compile("extra");
}
