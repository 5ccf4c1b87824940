//! A function's calls to itself in tail position (`return f(args)`)
//! become a loop, before inlining, for functions without heap values: the
//! arguments go into the parameters and control goes round again, one
//! level deeper (`EnterFrame` again), so the recursion limit holds exactly
//! as for the calls. `gcd(b, a % b)` and `tak`'s outer call run without
//! calls.

use super::{new_temp, Terminator};
use super::{BasicBlock, BlockId, FuncId, LocalId, Lowered, Operand, Rvalue, Statement};
use crate::hir::Type;
use std::collections::HashMap;

/// Turns `body`'s tail calls to itself (function `me`) into a loop.
pub(super) fn loop_tail_calls(body: &mut Lowered, me: FuncId) {
    if body.locals.iter().any(|(_, ty)| ty.is_heap())
        || body
            .params
            .iter()
            .any(|p| body.nonneg.contains(p) || body.counters.contains_key(p))
    {
        return;
    }
    let Some((too_deep, start)) = entry_check(&body.blocks[0]) else {
        return;
    };
    let sites: Vec<usize> = (0..body.blocks.len())
        .filter(|&b| is_tail_call(body, b, me))
        .collect();
    for b in sites {
        let Some(Statement::Call { args, .. }) = body.blocks[b].statements.pop() else {
            unreachable!("tailcall: a site ends with its call")
        };
        let next = go_round(body, &args, too_deep, start, body.blocks[b].cold);
        body.blocks[b].terminator = Terminator::Goto(next);
    }
}

/// The entry block's recursion check: where it raises and where the
/// body starts.
fn entry_check(entry: &BasicBlock) -> Option<(BlockId, BlockId)> {
    match (entry.statements.last(), &entry.terminator) {
        (
            Some(Statement::EnterFrame { too_deep }),
            Terminator::Branch {
                cond: Operand::Local(c),
                then,
                otherwise,
            },
        ) if c == too_deep => Some((*then, *otherwise)),
        _ => None,
    }
}

/// Whether block `b` ends with a call to `me` whose value (or `None`) the
/// function returns as it is.
fn is_tail_call(body: &Lowered, b: usize, me: FuncId) -> bool {
    let block = &body.blocks[b];
    let Some(Statement::Call {
        status,
        values,
        func,
        frames: 0,
        ..
    }) = block.statements.last()
    else {
        return false;
    };
    match block.terminator {
        Terminator::Branch {
            cond: Operand::Local(c),
            otherwise,
            ..
        } => *func == me && c == *status && returns(body, otherwise, values),
        _ => false,
    }
}

/// Whether the blocks from `from` on only return `values` (none: the
/// function returns `None`), each in its place, through copies of them
/// and jumps.
fn returns(body: &Lowered, from: BlockId, values: &[LocalId]) -> bool {
    // Which returned value each local holding one holds.
    let mut holding: HashMap<LocalId, usize> =
        values.iter().enumerate().map(|(i, v)| (*v, i)).collect();
    let mut at = from;
    for _ in 0..body.blocks.len() {
        let block = &body.blocks[at.0 as usize];
        for s in &block.statements {
            match s {
                Statement::ReleaseFrame => {}
                Statement::Assign(l, Rvalue::Use(Operand::Local(h))) if holding.contains_key(h) => {
                    let place = holding[h];
                    holding.insert(*l, place);
                }
                Statement::Assign(l, Rvalue::Use(_)) => {
                    holding.remove(l);
                }
                _ => return false,
            }
        }
        match &block.terminator {
            Terminator::Goto(next) => at = *next,
            Terminator::Return(returned) => {
                return returned.len() == values.len()
                    && returned.iter().enumerate().all(
                        |(i, r)| matches!(r, Operand::Local(l) if holding.get(l) == Some(&i)),
                    );
            }
            _ => return false,
        }
    }
    false
}

/// The block that starts the next level: the arguments (all read before
/// any parameter is assigned) in the parameters, and the recursion limit
/// checked one level deeper.
fn go_round(
    body: &mut Lowered,
    args: &[Operand],
    too_deep: BlockId,
    start: BlockId,
    cold: bool,
) -> BlockId {
    let mut statements = Vec::new();
    let mut copies = Vec::new();
    for (p, a) in body.params.clone().into_iter().zip(args) {
        let ty = body.locals[p.0 as usize].1;
        let t = new_temp(&mut body.locals, ty);
        statements.push(Statement::Assign(t, Rvalue::Use(*a)));
        copies.push(Statement::Assign(p, Rvalue::Use(Operand::Local(t))));
    }
    statements.extend(copies);
    let deeper = new_temp(&mut body.locals, Type::Bool);
    statements.push(Statement::EnterFrame { too_deep: deeper });
    body.blocks.push(BasicBlock {
        statements,
        terminator: Terminator::Branch {
            cond: Operand::Local(deeper),
            then: too_deep,
            otherwise: start,
        },
        cold,
    });
    BlockId(body.blocks.len() as u32 - 1)
}
