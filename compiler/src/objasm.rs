//! The `include_roast!` route's linking: an ELF object from codegen rewritten
//! as assembler text for `global_asm!`, so rustc's own object carries the
//! machine code and no build script or link argument is needed.
//!
//! Bytes become `.byte` lines; each relocation becomes a `.long`/`.quad`
//! expression the assembler turns back into the same relocation; references
//! to runtime functions become `sym` operands (`{rtN}`).

use object::{
    Object, ObjectSection, ObjectSymbol, RelocationFlags, RelocationTarget, SectionKind,
    SymbolSection,
};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

/// Assembler text plus the runtime symbols its `{rtN}` operands name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsmObject {
    /// The assembly, one directive per line.
    pub text: String,
    /// `roast_rt_*` names, in operand order.
    pub runtime_symbols: Vec<String>,
}

/// Converts `bytes` (an x86-64 ELF relocatable object) to assembler text.
/// `prefix` makes section and label names unique.
pub fn object_to_asm(bytes: &[u8], prefix: &str) -> Result<AsmObject, String> {
    let file = object::File::parse(bytes).map_err(|e| format!("reading the object: {e}"))?;
    if file.architecture() != object::Architecture::X86_64 {
        return Err(format!(
            "include_roast! supports x86-64 targets so far, not {:?}; use the build.rs route",
            file.architecture()
        ));
    }
    let mut runtime_symbols: Vec<String> = Vec::new();
    let mut operand: HashMap<String, usize> = HashMap::new();
    let mut text = String::new();
    for section in file.sections() {
        let kind = section.kind();
        let flags = match kind {
            SectionKind::Text => "\"ax\",@progbits",
            SectionKind::ReadOnlyData | SectionKind::ReadOnlyString => "\"a\",@progbits",
            SectionKind::Data => "\"aw\",@progbits",
            _ => continue,
        };
        let data = section.data().map_err(|e| e.to_string())?;
        let sec_label = section_label(prefix, section.index().0);
        let name = section.name().unwrap_or("");
        let _ = writeln!(text, ".pushsection {name}.{prefix},{flags}");
        let align = if kind == SectionKind::Text {
            section.align().max(16)
        } else {
            section.align().max(1)
        };
        let _ = writeln!(text, ".p2align {}", align.trailing_zeros());
        let _ = writeln!(text, "{sec_label}:");
        // Labels at offsets, relocations at offsets.
        let mut labels: BTreeMap<u64, Vec<String>> = BTreeMap::new();
        for sym in file.symbols() {
            if sym.section() != SymbolSection::Section(section.index())
                || sym.name().unwrap_or("").is_empty()
            {
                continue;
            }
            if sym.kind() == object::SymbolKind::Section {
                continue;
            }
            let name = sym.name().map_err(|e| e.to_string())?.to_string();
            let mut decl = String::new();
            if sym.is_global() {
                let _ = writeln!(decl, ".globl {name}\n.hidden {name}");
            }
            if kind == SectionKind::Text {
                let _ = writeln!(decl, ".type {name},@function");
            }
            decl.push_str(&name);
            decl.push(':');
            labels
                .entry(sym.address() - section.address())
                .or_default()
                .push(decl);
        }
        let mut relocs: BTreeMap<u64, (usize, String)> = BTreeMap::new();
        for (offset, reloc) in section.relocations() {
            let mut external = false;
            let target = match reloc.target() {
                RelocationTarget::Symbol(idx) => {
                    let sym = file.symbol_by_index(idx).map_err(|e| e.to_string())?;
                    match sym.section() {
                        SymbolSection::Undefined => {
                            external = true;
                            let name = sym.name().map_err(|e| e.to_string())?.to_string();
                            let n = *operand.entry(name.clone()).or_insert_with(|| {
                                runtime_symbols.push(name);
                                runtime_symbols.len() - 1
                            });
                            format!("{{rt{n}}}")
                        }
                        SymbolSection::Section(s) if sym.kind() == object::SymbolKind::Section => {
                            section_label(prefix, s.0)
                        }
                        _ => sym.name().map_err(|e| e.to_string())?.to_string(),
                    }
                }
                RelocationTarget::Section(s) => section_label(prefix, s.0),
                _ => return Err("unsupported relocation target".to_string()),
            };
            let addend = reloc.addend();
            let (size, expr) = match reloc.flags() {
                RelocationFlags::Elf { r_type } => match r_type {
                    // A call to the runtime goes through the PLT (valid in
                    // shared objects too); everything else is in this object.
                    object::elf::R_X86_64_PLT32 if external => {
                        (4, format!(".long {target}@PLT - . + ({addend})"))
                    }
                    object::elf::R_X86_64_PC32 | object::elf::R_X86_64_PLT32 => {
                        (4, format!(".long {target} - . + ({addend})"))
                    }
                    object::elf::R_X86_64_64 => (8, format!(".quad {target} + ({addend})")),
                    other => return Err(format!("unsupported ELF relocation type {other}")),
                },
                other => return Err(format!("unsupported relocation {other:?}")),
            };
            relocs.insert(offset, (size, expr));
        }
        let mut pos = 0u64;
        let mut bytes_line = Vec::new();
        let flush = |text: &mut String, bytes_line: &mut Vec<u8>| {
            if !bytes_line.is_empty() {
                let list: Vec<String> = bytes_line.iter().map(|b| b.to_string()).collect();
                let _ = writeln!(text, ".byte {}", list.join(","));
                bytes_line.clear();
            }
        };
        while pos < data.len() as u64 {
            if let Some(decls) = labels.get(&pos) {
                flush(&mut text, &mut bytes_line);
                for d in decls {
                    let _ = writeln!(text, "{d}");
                }
            }
            if let Some((size, expr)) = relocs.get(&pos) {
                flush(&mut text, &mut bytes_line);
                let _ = writeln!(text, "{expr}");
                pos += *size as u64;
                continue;
            }
            bytes_line.push(data[pos as usize]);
            if bytes_line.len() == 32 {
                flush(&mut text, &mut bytes_line);
            }
            pos += 1;
        }
        flush(&mut text, &mut bytes_line);
        // Symbols of empty objects at the very end of the section.
        for d in labels.range(data.len() as u64..).flat_map(|(_, d)| d) {
            let _ = writeln!(text, "{d}");
        }
        let _ = writeln!(text, ".popsection");
    }
    Ok(AsmObject {
        text,
        runtime_symbols,
    })
}

fn section_label(prefix: &str, index: usize) -> String {
    format!("{prefix}sec{index}")
}
