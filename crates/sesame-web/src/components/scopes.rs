//! What a key may do, as the console asks it: *Full access (same as me)*, *Read only*, or
//! chosen permissions. The picker serves the generate form and a key's *Permissions*
//! editor; the server decides (a key never does more than its owner's role allows).

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use sesame_api::{functions::set_api_key_scopes, wire::{ApiKeyId, ApiKeyView, Permission}};

use crate::{
    components::row_editor::{on_saved, RowEditor},
    i18n::*,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Full,
    ReadOnly,
    Custom,
}

impl Mode {
    const ALL: [Mode; 3] = [Mode::Full, Mode::ReadOnly, Mode::Custom];

    fn value(self) -> &'static str {
        match self {
            Mode::Full => "full",
            Mode::ReadOnly => "read-only",
            Mode::Custom => "custom",
        }
    }

    fn from_value(value: &str) -> Self {
        Mode::ALL.into_iter().find(|mode| mode.value() == value).unwrap_or(Mode::Full)
    }
}

/// A picker's state: the preset, and the permissions ticked under *Custom*.
#[derive(Clone, Copy)]
pub struct ScopesDraft {
    mode: RwSignal<Mode>,
    ticked: RwSignal<Vec<Permission>>,
}

impl Default for ScopesDraft {
    fn default() -> Self {
        Self::new()
    }
}

impl ScopesDraft {
    pub fn new() -> Self {
        Self { mode: RwSignal::new(Mode::Full), ticked: RwSignal::new(Permission::ALL.to_vec()) }
    }

    /// Starts again from a key's scopes (none: full access).
    pub fn reset(self, scopes: Option<&[Permission]>) {
        let (mode, ticked) = match scopes {
            None => (Mode::Full, Permission::ALL.to_vec()),
            Some(list) if list == Permission::READ_ONLY => (Mode::ReadOnly, list.to_vec()),
            Some(list) => (Mode::Custom, list.to_vec()),
        };
        self.mode.set(mode);
        self.ticked.set(ticked);
    }

    /// What to send: none for full access; under *Custom* the ticked permissions (an empty
    /// list is the server's to refuse, with its message).
    pub fn value(self) -> Option<Vec<Permission>> {
        match self.mode.get_untracked() {
            Mode::Full => None,
            Mode::ReadOnly => Some(Permission::READ_ONLY.to_vec()),
            Mode::Custom => {
                let ticked = self.ticked.get_untracked();
                Some(Permission::ALL.into_iter().filter(|permission| ticked.contains(permission)).collect())
            }
        }
    }
}

pub fn permission_text(i18n: I18nContext<Locale>, permission: Permission) -> String {
    match permission {
        Permission::MeRead => t_string!(i18n, permission_me_read),
        Permission::ApiKeysRead => t_string!(i18n, permission_api_keys_read),
        Permission::ApiKeysWrite => t_string!(i18n, permission_api_keys_write),
        Permission::UsersRead => t_string!(i18n, permission_users_read),
        Permission::UsersWrite => t_string!(i18n, permission_users_write),
        Permission::ActivityRead => t_string!(i18n, permission_activity_read),
        Permission::SecurityWrite => t_string!(i18n, permission_security_write),
    }
    .to_string()
}

/// A key's scopes in a few words: *Full access*, *Read only*, or its permissions.
pub fn scopes_summary(i18n: I18nContext<Locale>, scopes: Option<&[Permission]>) -> String {
    match scopes {
        None => t_string!(i18n, scopes_full).to_string(),
        Some(list) if list == Permission::READ_ONLY => t_string!(i18n, scopes_read_only).to_string(),
        Some(list) => list.iter().map(|permission| permission_text(i18n, *permission)).collect::<Vec<_>>().join(", "),
    }
}

#[component]
pub fn ScopesPicker(draft: ScopesDraft) -> impl IntoView {
    let i18n = use_i18n();
    let mode_text = move |mode: Mode| match mode {
        Mode::Full => t_string!(i18n, scopes_full).to_string(),
        Mode::ReadOnly => t_string!(i18n, scopes_read_only).to_string(),
        Mode::Custom => t_string!(i18n, scopes_custom).to_string(),
    };
    let choose = move |mode: Mode| {
        // *Custom* starts from the preset it replaces.
        if mode == Mode::Custom {
            match draft.mode.get_untracked() {
                Mode::Full => draft.ticked.set(Permission::ALL.to_vec()),
                Mode::ReadOnly => draft.ticked.set(Permission::READ_ONLY.to_vec()),
                Mode::Custom => {}
            }
        }
        draft.mode.set(mode);
    };
    let tick = move |permission: Permission, on: bool| {
        draft.ticked.update(|ticked| {
            ticked.retain(|ticked| *ticked != permission);
            if on {
                ticked.push(permission);
            }
        });
    };
    view! {
        <label>
            <span>{t!(i18n, permissions)}</span>
            <select class="scopes-choice" on:change=move |ev| choose(Mode::from_value(&event_target_value(&ev)))>
                {Mode::ALL
                    .map(|mode| view! {
                        <option value=mode.value() selected=move || draft.mode.get() == mode>{move || mode_text(mode)}</option>
                    })
                    .collect_view()}
            </select>
        </label>
        <Show when=move || draft.mode.get() == Mode::Custom>
            <fieldset class="scope-list">
                <legend class="visually-hidden">{t!(i18n, permissions)}</legend>
                {Permission::ALL
                    .map(|permission| view! {
                        <label class="scope-choice">
                            <input
                                type="checkbox"
                                value=permission.as_str()
                                prop:checked=move || draft.ticked.with(|ticked| ticked.contains(&permission))
                                on:change=move |ev| tick(permission, event_target_checked(&ev))
                            />
                            <span>{move || permission_text(i18n, permission)}</span>
                            " "
                            <code class="muted">{permission.as_str()}</code>
                        </label>
                    })
                    .collect_view()}
            </fieldset>
        </Show>
    }
}

/// A key's permissions, changed under its row: applies to the key's next request.
#[component]
pub fn KeyScopesEditor(
    current: RwSignal<ApiKeyView>,
    on_changed: Callback<ApiKeyView>,
    /// Closes the editor (saved or cancelled); the row puts the focus back.
    on_close: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let draft = ScopesDraft::new();
    draft.reset(current.with_untracked(|key| key.scopes.clone()).as_deref());
    let error = RwSignal::new(None::<String>);
    let save = Action::new_local(|(id, scopes): &(ApiKeyId, Option<Vec<Permission>>)| set_api_key_scopes(*id, scopes.clone()));
    on_saved(save, current, on_changed, on_close, error, move || t_string!(i18n, scopes_saved).to_string());
    let on_save = Callback::new(move |()| {
        save.dispatch((current.with_untracked(|key| key.id), draft.value()));
    });
    view! {
        <RowEditor class="scopes-editor" error saving=save.pending().into() on_save on_close>
            <ScopesPicker draft />
        </RowEditor>
    }
}
