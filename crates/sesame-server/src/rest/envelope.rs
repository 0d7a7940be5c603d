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
    #[schema(max_items = 500)]
    pub data: Vec<T>,
    pub metadata: PageMetadata,
}

/// Where this page sits in the whole list.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PageMetadata {
    /// The page returned, from 1.
    #[schema(format = Int32, minimum = 1, maximum = 1000000)]
    pub page_current: u32,
    /// The most items a page holds.
    #[schema(format = Int32, minimum = 1, maximum = 500)]
    pub page_size: u32,
    /// How many items the whole list has.
    #[schema(format = Int64, minimum = 0, maximum = 9223372036854775807_i64)]
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

    /// A whole short list as one page.
    pub fn whole(items: Vec<T>) -> Self {
        let count = items.len();
        Self {
            metadata: PageMetadata {
                page_current: 1,
                page_size: u32::try_from(count.max(1)).unwrap_or(u32::MAX),
                record_count: count as u64,
            },
            data: items,
        }
    }
}
