//! A small hand-written SVG chart: panels of horizontal bars showing ratios
//! on a log scale, anchored at 1.0 (bars go right above parity, left below).

use std::fmt::Write;

/// One panel of the chart.
pub struct Panel<'a> {
    /// The heading above the bars.
    pub title: &'a str,
    /// One bar per row: its label and value (`None` is drawn as "n/a").
    pub bars: Vec<(&'a str, Option<f64>)>,
    /// Values marked by dashed vertical lines.
    pub references: &'a [f64],
    /// The bars' fill colour.
    pub fill: &'a str,
}

const WIDTH: f64 = 760.0;
/// Left edge of the plot area (the labels sit to its left).
const LEFT: f64 = 120.0;
const PLOT_WIDTH: f64 = 540.0;
const ROW: f64 = 22.0;
const TITLE: f64 = 40.0;
const AXIS: f64 = 34.0;

/// The chart with `panels` stacked top to bottom, as a complete SVG document.
pub fn chart(panels: &[Panel]) -> String {
    let height: f64 = panels.iter().map(panel_height).sum();
    let mut out = String::new();
    put(
        &mut out,
        format_args!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12">"#
        ),
    );
    put(
        &mut out,
        format_args!(r##"<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>"##),
    );
    let mut top = 0.0;
    for panel in panels {
        draw(&mut out, panel, top);
        top += panel_height(panel);
    }
    out.push_str("</svg>\n");
    out
}

fn panel_height(panel: &Panel) -> f64 {
    TITLE + ROW * panel.bars.len() as f64 + AXIS
}

fn draw(out: &mut String, panel: &Panel, top: f64) {
    let values = panel.bars.iter().filter_map(|&(_, v)| v);
    let extremes = values.chain(panel.references.iter().copied()).chain([1.0]);
    let (min, max) = extremes.fold((f64::INFINITY, 0.0_f64), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let (lo, hi) = (nice_below(min / 1.15), nice_above(max * 1.15));
    let x = |v: f64| LEFT + PLOT_WIDTH * (v / lo).ln() / (hi / lo).ln();
    let plot_top = top + TITLE;
    let plot_bottom = plot_top + ROW * panel.bars.len() as f64;
    put(
        out,
        format_args!(
            r#"<text x="10" y="{:.1}" font-size="14" font-weight="bold">{}</text>"#,
            top + 18.0,
            escape(panel.title)
        ),
    );
    for tick in ticks(lo, hi) {
        let tx = x(tick);
        put(
            out,
            format_args!(
                r##"<line x1="{tx:.1}" y1="{plot_top:.1}" x2="{tx:.1}" y2="{plot_bottom:.1}" stroke="#dddddd"/>"##
            ),
        );
        put(
            out,
            format_args!(
                r#"<text x="{tx:.1}" y="{:.1}" text-anchor="middle">{tick}</text>"#,
                plot_bottom + 15.0
            ),
        );
    }
    let one = x(1.0);
    for (i, &(label, value)) in panel.bars.iter().enumerate() {
        let y = plot_top + ROW * i as f64;
        let middle = y + ROW / 2.0 + 4.0;
        put(
            out,
            format_args!(
                r#"<text x="{:.1}" y="{middle:.1}" text-anchor="end">{}</text>"#,
                LEFT - 8.0,
                escape(label)
            ),
        );
        let (text_x, text) = match value {
            Some(v) => {
                let (a, b) = (one.min(x(v)), one.max(x(v)));
                put(
                    out,
                    format_args!(
                        r#"<rect x="{a:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}"/>"#,
                        y + 3.0,
                        b - a,
                        ROW - 6.0,
                        panel.fill
                    ),
                );
                (b + 4.0, ratio_text(v))
            }
            None => (one + 4.0, "n/a".to_string()),
        };
        put(
            out,
            format_args!(r#"<text x="{text_x:.1}" y="{middle:.1}">{text}</text>"#),
        );
    }
    for &r in panel.references {
        let rx = x(r);
        put(
            out,
            format_args!(
                r##"<line x1="{rx:.1}" y1="{:.1}" x2="{rx:.1}" y2="{plot_bottom:.1}" stroke="#444444" stroke-dasharray="4 3"/>"##,
                plot_top - 6.0
            ),
        );
        put(
            out,
            format_args!(
                r#"<text x="{rx:.1}" y="{:.1}" text-anchor="middle" font-size="10">{r}×</text>"#,
                plot_top - 9.0
            ),
        );
    }
    put(
        out,
        format_args!(
            r##"<line x1="{LEFT:.1}" y1="{plot_bottom:.1}" x2="{:.1}" y2="{plot_bottom:.1}" stroke="#000000"/>"##,
            LEFT + PLOT_WIDTH
        ),
    );
}

/// Appends one element and a newline.
fn put(out: &mut String, element: std::fmt::Arguments) {
    out.write_fmt(element)
        .expect("writing to a String cannot fail");
    out.push('\n');
}

/// A ratio with three significant digits or so: `0.87×`, `12.3×`, `145×`.
fn ratio_text(v: f64) -> String {
    match v {
        v if v < 10.0 => format!("{v:.2}×"),
        v if v < 100.0 => format!("{v:.1}×"),
        v => format!("{v:.0}×"),
    }
}

/// `m × 10^k`, computed so that it is the double nearest to the decimal.
fn decimal(m: f64, k: i32) -> f64 {
    let p = 10f64.powi(k.abs());
    if k < 0 {
        m / p
    } else {
        m * p
    }
}

/// The 1-2-5 values bracketing `v`: `[1, 2, 5, 10] × 10^k` with
/// `10^k <= v < 10^(k+1)`.
fn steps(v: f64) -> [f64; 4] {
    let k = v.log10().floor() as i32;
    [1.0, 2.0, 5.0, 10.0].map(|m| decimal(m, k))
}

fn nice_below(v: f64) -> f64 {
    steps(v).into_iter().rev().find(|&s| s <= v).unwrap_or(v)
}

fn nice_above(v: f64) -> f64 {
    steps(v).into_iter().find(|&s| s >= v).unwrap_or(v)
}

/// Grid values between `lo` and `hi`: the 1-2-5 values, or only the powers
/// of ten when those would be too many.
fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    let first = lo.log10().floor() as i32;
    let last = hi.log10().ceil() as i32;
    let all: Vec<f64> = (first..=last)
        .flat_map(|k| [1.0, 2.0, 5.0].map(|m| decimal(m, k)))
        .filter(|&t| t >= lo * 0.999 && t <= hi * 1.001)
        .collect();
    if all.len() <= 9 {
        all
    } else {
        all.into_iter()
            .filter(|&t| t.log10().fract().abs() < 1e-9)
            .collect()
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
