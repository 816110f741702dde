//! Second symbol-table pass (`symtable_analyze`): decides each name's scope from the raw flags,
//! turns captured locals into cells, and inlines list/set/dict comprehensions (PEP 709).

use super::*;
use crate::error::CompileResult;

type NameSet = FxHashSet<String>;

pub(super) fn analyze(st: &mut SymbolTable) -> CompileResult<()> {
    let mut free = NameSet::default();
    let global = NameSet::default();
    let type_params = NameSet::default();
    let top = st.top;
    analyze_block(st, top, None, &mut free, &global, &type_params, None)
}

fn error_at_directive(st: &SymbolTable, entry: ScopeId, name: &str, message: String) -> CompileError {
    let range = st.entries[entry]
        .directives
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, r)| *r)
        .unwrap_or_default();
    error(message, range)
}

#[allow(clippy::too_many_arguments)]
fn analyze_name(
    st: &mut SymbolTable,
    entry: ScopeId,
    scopes: &mut IndexMap<String, Scope>,
    name: &str,
    flags: u32,
    bound: Option<&mut NameSet>,
    local: &mut NameSet,
    free: &mut NameSet,
    global: &mut NameSet,
    type_params: &mut NameSet,
    class_entry: Option<ScopeId>,
) -> CompileResult<()> {
    if flags & DEF_GLOBAL != 0 {
        if flags & DEF_NONLOCAL != 0 {
            return Err(error_at_directive(st, entry, name, format!("name '{name}' is nonlocal and global")));
        }
        scopes.insert(name.to_string(), Scope::GlobalExplicit);
        global.insert(name.to_string());
        if let Some(bound) = bound {
            bound.remove(name);
        }
        return Ok(());
    }
    if flags & DEF_NONLOCAL != 0 {
        let Some(bound) = bound else {
            return Err(error_at_directive(st, entry, name, "nonlocal declaration not allowed at module level".into()));
        };
        if !bound.contains(name) {
            return Err(error_at_directive(st, entry, name, format!("no binding for nonlocal '{name}' found")));
        }
        if type_params.contains(name) {
            return Err(error_at_directive(
                st,
                entry,
                name,
                format!("nonlocal binding not allowed for type parameter '{name}'"),
            ));
        }
        scopes.insert(name.to_string(), Scope::Free);
        st.entries[entry].free = true;
        free.insert(name.to_string());
        return Ok(());
    }
    if flags & DEF_BOUND != 0 {
        scopes.insert(name.to_string(), Scope::Local);
        local.insert(name.to_string());
        global.remove(name);
        if flags & DEF_TYPE_PARAM != 0 {
            type_params.insert(name.to_string());
        } else {
            type_params.remove(name);
        }
        return Ok(());
    }
    if let Some(class_entry) = class_entry {
        let class_flags = st.entries[class_entry].symbol(name);
        if class_flags & DEF_GLOBAL != 0 {
            scopes.insert(name.to_string(), Scope::GlobalExplicit);
            return Ok(());
        } else if class_flags & DEF_BOUND != 0 && class_flags & DEF_NONLOCAL == 0 {
            scopes.insert(name.to_string(), Scope::GlobalImplicit);
            return Ok(());
        }
    }
    if let Some(bound) = bound {
        if bound.contains(name) {
            scopes.insert(name.to_string(), Scope::Free);
            st.entries[entry].free = true;
            free.insert(name.to_string());
            return Ok(());
        }
    }
    if global.contains(name) {
        scopes.insert(name.to_string(), Scope::GlobalImplicit);
        return Ok(());
    }
    if st.entries[entry].nested {
        st.entries[entry].free = true;
    }
    scopes.insert(name.to_string(), Scope::GlobalImplicit);
    Ok(())
}

fn is_free_in_any_child(st: &SymbolTable, entry: ScopeId, name: &str) -> bool {
    st.entries[entry].children.iter().any(|&c| st.entries[c].scope(name) == Some(Scope::Free))
}

fn inline_comprehension(
    st: &mut SymbolTable,
    entry: ScopeId,
    comp: ScopeId,
    scopes: &mut IndexMap<String, Scope>,
    comp_free: &mut NameSet,
    inlined_cells: &mut NameSet,
) {
    let mut remove_dunder_class = false;
    let comp_symbols: Vec<(String, u32)> = st.entries[comp].symbols.iter().map(|(k, v)| (k.clone(), *v)).collect();
    let is_class = st.entries[entry].kind == BlockType::Class;
    for (k, comp_flags) in comp_symbols {
        if comp_flags & DEF_PARAM != 0 {
            continue;
        }
        let mut scope = Scope::from_flags(comp_flags);
        let only_flags = comp_flags & ((1 << SCOPE_OFFSET) - 1);
        if scope == Some(Scope::Cell) || only_flags & DEF_COMP_CELL != 0 {
            inlined_cells.insert(k.clone());
        }
        let existing = st.entries[entry].symbols.get(&k).copied();
        if scope == Some(Scope::Free) && is_class && k == "__class__" {
            scope = Some(Scope::GlobalImplicit);
            comp_free.remove(&k);
            remove_dunder_class = true;
        }
        match existing {
            None => {
                st.entries[entry].symbols.insert(k.clone(), only_flags);
                if let Some(scope) = scope {
                    scopes.insert(k, scope);
                }
            }
            Some(existing) => {
                if existing & DEF_BOUND != 0 && !is_free_in_any_child(st, comp, &k) && !is_class {
                    comp_free.remove(&k);
                }
            }
        }
    }
    st.entries[comp].free = !comp_free.is_empty();
    if remove_dunder_class {
        st.entries[comp].symbols.shift_remove("__class__");
    }
}

fn analyze_cells(scopes: &mut IndexMap<String, Scope>, free: &mut NameSet, inlined_cells: &NameSet) {
    for (name, scope) in scopes.iter_mut() {
        if *scope != Scope::Local {
            continue;
        }
        if !free.contains(name) && !inlined_cells.contains(name) {
            continue;
        }
        *scope = Scope::Cell;
        free.remove(name);
    }
}

fn drop_class_free(st: &mut SymbolTable, entry: ScopeId, free: &mut NameSet) {
    if free.remove("__class__") {
        st.entries[entry].needs_class_closure = true;
    }
    if free.remove("__classdict__") {
        st.entries[entry].needs_classdict = true;
    }
    if free.remove("__conditional_annotations__") {
        st.entries[entry].has_conditional_annotations = true;
    }
}

fn update_symbols(
    symbols: &mut IndexMap<String, u32>,
    scopes: &IndexMap<String, Scope>,
    bound: Option<&NameSet>,
    free: &NameSet,
    inlined_cells: &NameSet,
    classflag: bool,
) {
    for (name, flags) in symbols.iter_mut() {
        if inlined_cells.contains(name) {
            *flags |= DEF_COMP_CELL;
        }
        let scope = scopes.get(name).map_or(0, |s| *s as u32);
        *flags |= scope << SCOPE_OFFSET;
    }
    // Record not yet resolved free variables from children. Sorted so the symbol order is
    // deterministic (CPython iterates a set here; the order only matters for names that no
    // code of this block mentions).
    let mut pending: Vec<&String> = free.iter().collect();
    pending.sort();
    for name in pending {
        if let Some(v) = symbols.get_mut(name) {
            if classflag {
                *v |= DEF_FREE_CLASS;
            }
            continue;
        }
        if let Some(bound) = bound {
            if !bound.contains(name) {
                continue;
            }
        }
        symbols.insert(name.clone(), (Scope::Free as u32) << SCOPE_OFFSET);
    }
}

fn analyze_block(
    st: &mut SymbolTable,
    entry: ScopeId,
    bound: Option<&NameSet>,
    free: &mut NameSet,
    global: &NameSet,
    type_params: &NameSet,
    class_entry: Option<ScopeId>,
) -> CompileResult<()> {
    let mut local = NameSet::default();
    let mut scopes: IndexMap<String, Scope> = IndexMap::default();
    let mut newglobal = NameSet::default();
    let mut newfree = NameSet::default();
    let mut newbound = NameSet::default();
    let mut inlined_cells = NameSet::default();
    // analyze_name may modify these (they are this block's copies, see analyze_child_block).
    let mut global = global.clone();
    let mut type_params = type_params.clone();
    let mut bound: Option<NameSet> = bound.cloned();
    let kind = st.entries[entry].kind;

    if kind == BlockType::Class {
        newglobal.extend(global.iter().cloned());
        if let Some(bound) = &bound {
            newbound.extend(bound.iter().cloned());
        }
    }

    let symbols: Vec<(String, u32)> = st.entries[entry].symbols.iter().map(|(k, v)| (k.clone(), *v)).collect();
    for (name, flags) in &symbols {
        analyze_name(
            st,
            entry,
            &mut scopes,
            name,
            *flags,
            bound.as_mut(),
            &mut local,
            free,
            &mut global,
            &mut type_params,
            class_entry,
        )?;
    }

    if kind != BlockType::Class {
        if st.entries[entry].is_function_like() {
            newbound.extend(local.iter().cloned());
        }
        if let Some(bound) = &bound {
            newbound.extend(bound.iter().cloned());
        }
        newglobal.extend(global.iter().cloned());
    } else {
        newbound.insert("__class__".to_string());
        newbound.insert("__classdict__".to_string());
        if st.version >= PythonVersion::V3_14 {
            newbound.insert("__conditional_annotations__".to_string());
        }
    }

    let children = st.entries[entry].children.clone();
    let can_see_class_scope = st.entries[entry].can_see_class_scope;
    for &child in &children {
        let new_class_entry = if st.entries[child].can_see_class_scope {
            if kind == BlockType::Class {
                Some(entry)
            } else {
                class_entry
            }
        } else {
            None
        };
        let c = &st.entries[child];
        let inline_comp = st.version >= PythonVersion::V3_12
            && c.comprehension.is_some()
            && !c.generator
            && !can_see_class_scope;
        let mut child_free = newfree.clone();
        analyze_block(st, child, Some(&newbound), &mut child_free, &newglobal, &type_params, new_class_entry)?;
        if inline_comp {
            inline_comprehension(st, entry, child, &mut scopes, &mut child_free, &mut inlined_cells);
            st.entries[child].comp_inlined = true;
        }
        newfree.extend(child_free);
        let c = &st.entries[child];
        if c.free || c.child_free {
            st.entries[entry].child_free = true;
        }
    }

    // Splice children of inlined comprehensions into our children list.
    let mut spliced = Vec::with_capacity(children.len());
    for &child in &children {
        if st.entries[child].comp_inlined {
            spliced.extend(st.entries[child].children.iter().copied());
        } else {
            spliced.push(child);
        }
    }
    st.entries[entry].children = spliced;

    if st.entries[entry].is_function_like() {
        analyze_cells(&mut scopes, &mut newfree, &inlined_cells);
    } else if kind == BlockType::Class {
        drop_class_free(st, entry, &mut newfree);
    }
    let classflag = kind == BlockType::Class || can_see_class_scope;
    let mut symbols = std::mem::take(&mut st.entries[entry].symbols);
    update_symbols(&mut symbols, &scopes, bound.as_ref(), &newfree, &inlined_cells, classflag);
    st.entries[entry].symbols = symbols;
    free.extend(newfree);
    Ok(())
}
