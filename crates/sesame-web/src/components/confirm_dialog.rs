//! One modal confirmation dialog for the console. While it is open, the rest of the page is
//! inert (no focus, hidden from assistive technology), Tab cycles through its controls, and
//! Escape cancels. A request may carry details to show and choose from before confirming
//! (the offboarding preview's keys).

use leptos::{html, prelude::*};
use wasm_bindgen::JsCast;

use crate::{focus::focus_next_frame, i18n::*};

#[derive(Clone)]
pub struct ConfirmRequest {
    pub title: String,
    pub question: String,
    pub confirm_label: String,
    pub on_confirm: Callback<()>,
    /// Shown between the question and the buttons (the dialog is wider with them).
    pub details: Option<ViewFn>,
}

#[derive(Clone, Copy)]
pub struct ConfirmDialog {
    request: RwSignal<Option<ConfirmRequest>>,
}

impl ConfirmDialog {
    pub fn provide() -> Self {
        let dialog = Self { request: RwSignal::new(None) };
        provide_context(dialog);
        dialog
    }

    pub fn get() -> Self {
        expect_context::<Self>()
    }

    pub fn ask(&self, request: ConfirmRequest) {
        self.request.set(Some(request));
    }

    /// For the page around the dialog: true while it must be inert.
    pub fn is_open(&self) -> bool {
        self.request.with(Option::is_some)
    }
}

fn active_element() -> Option<web_sys::HtmlElement> {
    document().active_element().and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
}

#[component]
pub fn ConfirmDialogHost() -> impl IntoView {
    let i18n = use_i18n();
    let dialog = ConfirmDialog::get();
    let cancel_ref = NodeRef::<html::Button>::new();
    let modal_ref = NodeRef::<html::Div>::new();
    // Where focus was before the dialog opened, to give it back afterwards.
    let opener = StoredValue::new_local(None::<web_sys::HtmlElement>);

    let close = move || {
        dialog.request.set(None);
        // Next frame: the page must have stopped being inert before it can take focus.
        request_animation_frame(move || {
            if let Some(element) = opener.try_get_value().flatten() {
                if element.is_connected() {
                    let _ = element.focus();
                }
            }
        });
    };

    Effect::new(move |_| {
        if dialog.is_open() {
            opener.set_value(active_element());
            focus_next_frame(cancel_ref);
        }
    });

    let on_keydown = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "Escape" => {
            ev.prevent_default();
            ev.stop_propagation();
            close();
        }
        "Tab" => {
            // Round and round the dialog's own controls, never out of it.
            let Some(modal) = modal_ref.get_untracked() else { return };
            let controls = focusable_in(&modal);
            let (Some(first), Some(last)) = (controls.first(), controls.last()) else { return };
            let active = active_element();
            // Outside the dialog (it was just opened, or a control inside went away): back in.
            let outside = !active.as_ref().is_some_and(|element| modal.contains(Some(element)));
            let wrap_to = if ev.shift_key() {
                (outside || active.as_ref() == Some(first)).then_some(last)
            } else {
                (outside || active.as_ref() == Some(last)).then_some(first)
            };
            if let Some(target) = wrap_to {
                ev.prevent_default();
                let _ = target.focus();
            }
        }
        _ => {}
    };

    move || {
        dialog.request.get().map(|request| {
            let on_confirm = request.on_confirm;
            let wide = request.details.is_some();
            view! {
                <div class="modal-backdrop">
                    <div
                        class="modal"
                        class:modal-wide=wide
                        node_ref=modal_ref
                        role="dialog"
                        aria-modal="true"
                        aria-labelledby="confirm-title"
                        aria-describedby="confirm-question"
                        on:keydown=on_keydown
                    >
                        <h2 id="confirm-title">{request.title}</h2>
                        <p id="confirm-question">{request.question}</p>
                        {request.details.map(|details| details.run())}
                        <div class="modal-actions">
                            <button class="btn btn-secondary" node_ref=cancel_ref on:click=move |_| close()>
                                {t!(i18n, cancel)}
                            </button>
                            <button
                                class="btn btn-danger"
                                on:click=move |_| {
                                    close();
                                    on_confirm.run(());
                                }
                            >
                                {request.confirm_label}
                            </button>
                        </div>
                    </div>
                </div>
            }
        })
    }
}

/// The controls inside `root` that Tab reaches, in page order.
fn focusable_in(root: &web_sys::HtmlElement) -> Vec<web_sys::HtmlElement> {
    let Ok(found) = root.query_selector_all("button:not([disabled]), select:not([disabled]), input:not([disabled]), a[href], [tabindex='0']") else {
        return Vec::new();
    };
    (0..found.length()).filter_map(|index| found.item(index)).filter_map(|node| node.dyn_into::<web_sys::HtmlElement>().ok()).collect()
}
