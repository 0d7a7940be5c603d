//! `/api/v1/activity`: the log the console's Activity list shows, with the same rule — a
//! user sees their own events, an administrator the organization's.

use sesame_core::model::Operation;
use axum::{extract::State, Json};
use sesame_api::wire::ActivityView;

use super::{
    auth::ApiActor,
    envelope::List,
    page::{PageParams, Pagination},
    error::{ApiError, ErrorResponse},
};
use crate::state::AppState;

/// The activity the key's owner may see, newest first.
#[utoipa::path(
    get, path = "/activity", tag = "activity", operation_id = Operation::ListActivity.rest_id(),
    params(PageParams),
    responses(
        (status = 200, description = "One page of events, newest first", body = List<ActivityView>),
        (status = 400, description = "Bad page parameters", body = ErrorResponse),
    )
)]
pub async fn list(
    state: State<AppState>,
    actor: ApiActor,
    Pagination(page): Pagination,
) -> Result<Json<List<ActivityView>>, ApiError> {
    let page = state.services.activity.list(&actor, page).await?;
    Ok(Json(List::from_page(page, |event| ActivityView::from(event))))
}
