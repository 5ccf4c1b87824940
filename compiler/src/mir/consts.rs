//! Locals that only ever hold one constant: a local other than a
//! parameter whose every assignment copies the same `int` or `bool`
//! constant (an overflow flag whose check the value ranges dropped, the
//! `enumerate` count's, which is then always false) is read as that
//! constant, and a branch on a constant becomes a jump.

use super::{Lowered, Operand, Rvalue, Statement, Terminator};
use std::collections::HashMap;

/// Reads `body`'s single-constant locals as their constants.
pub(super) fn fold_constant_locals(body: &mut Lowered) {
    // Each local's one constant so far; `None` once anything else is
    // assigned to it.
    let mut value: HashMap<u32, Option<Operand>> = HashMap::new();
    for s in body.blocks.iter().flat_map(|b| &b.statements) {
        let constant = match s {
            Statement::Assign(_, Rvalue::Use(c @ (Operand::Int(_) | Operand::Bool(_)))) => Some(*c),
            _ => None,
        };
        for l in s.assigned() {
            let seen = value.entry(l.0).or_insert(constant);
            if *seen != constant {
                *seen = None;
            }
        }
    }
    for p in &body.params {
        value.remove(&p.0);
    }
    let constants: HashMap<u32, Operand> = value
        .into_iter()
        .filter_map(|(l, c)| Some((l, c?)))
        .collect();
    if constants.is_empty() {
        return;
    }
    let read_as_constant = |o: &mut Operand| {
        if let Operand::Local(l) = o {
            if let Some(c) = constants.get(&l.0) {
                *o = *c;
            }
        }
    };
    for block in &mut body.blocks {
        for s in &mut block.statements {
            s.reads_mut().into_iter().for_each(read_as_constant);
        }
        block
            .terminator
            .reads_mut()
            .into_iter()
            .for_each(read_as_constant);
        if let Terminator::Branch {
            cond: Operand::Bool(taken),
            then,
            otherwise,
        } = block.terminator
        {
            block.terminator = Terminator::Goto(if taken { then } else { otherwise });
        }
    }
}
