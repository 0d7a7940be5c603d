//! Two administrators changing each other at the same moment, with the worst interleaving
//! forced: each has been checked (and holds their own row) before either goes on. Locks
//! taken in one order (organization, then actor, then target) let one change win and the
//! other be refused; taken in another, PostgreSQL would abort one as a deadlock. On its
//! own test binary: the pause it sets is process-wide.

mod common;

use common::{fixture, user_in};
use sesame_core::{
    model::{Role, UserChange},
    users::UserError,
};

#[tokio::test]
async fn administrators_changing_each_other_at_once_never_deadlock() {
    std::env::set_var("SESAME_PAUSE", "user-change-checked:300");
    let f = fixture().await;
    let ada = user_in(&f, "ada", "Acme", Role::Admin).await;
    let bob = user_in(&f, "bob", "Acme", Role::Admin).await;
    let demote = UserChange { role: Some(Role::User), status: None };
    let users = f.services.users.clone();
    let (first, second) = tokio::join!(users.update(&ada, bob.user.id, demote), users.update(&bob, ada.user.id, demote));
    let refused: Vec<&UserError> = [&first, &second].into_iter().filter_map(|result| result.as_ref().err()).collect();
    assert!(matches!(refused[..], [UserError::Refused(sesame_core::rights::Refusal::Role)]), "{first:?} / {second:?}");
}
