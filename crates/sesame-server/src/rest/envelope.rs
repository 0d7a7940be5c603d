//! The success shapes every endpoint shares: `{"data": …}`, and for lists the page too.

use serde::Serialize;
use utoipa::ToSchema;

/// One object.
#[derive(Serialize, ToSchema)]
pub struct Data<T> {
    pub data: T,
}

/// One page of a list.
#[derive(Serialize, ToSchema)]
pub struct List<T> {
    pub data: Vec<T>,
    pub metadata: PageMetadata,
}

/// Where this page sits in the whole list.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PageMetadata {
    /// The page returned, from 1.
    #[schema(minimum = 1)]
    pub page_current: u32,
    /// The most items a page holds.
    #[schema(minimum = 1)]
    pub page_size: u32,
    /// How many items the whole list has.
    pub record_count: u64,
}

impl<T> List<T> {
    pub fn from_page<U>(page: sesame_core::model::Page<U>, to_body: impl Fn(&U) -> T) -> Self {
        Self {
            data: page.items.iter().map(to_body).collect(),
            metadata: PageMetadata {
                page_current: page.request.number(),
                page_size: page.request.size(),
                record_count: page.total,
            },
        }
    }
}
