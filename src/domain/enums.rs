//! One way to declare an enum that is stored as text, sent as a JSON string and documented in
//! the OpenAPI document: [`string_enum!`](crate::string_enum). Every stored enum uses it, so
//! each has `as_str`, `Display`, `FromStr` and `ALL` with the same spelling everywhere.

/// Declares a text-stored enum: `string_enum! { /// doc \n pub enum Name { /// doc \n A = "a", ... } }`.
///
/// The string of each variant is its database value, its JSON value and its `Display`. Extra
/// attributes (further derives, `#[schema(...)]`) may stand before `pub enum`.
///
/// The strings are taken as `tt`, not `literal`: a `literal` fragment reaches the derives
/// wrapped in an invisible group that utoipa does not read, and the OpenAPI document then
/// showed the Rust variant names (`Decision`) instead of the values the server takes.
#[macro_export]
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $text:tt),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, sea_orm::EnumIter, sea_orm::DeriveActiveEnum,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        #[sea_orm(rs_type = "String", db_type = "Text")]
        $vis enum $name {
            $($(#[$vmeta])* #[sea_orm(string_value = $text)] #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stored (and JSON) string of this value.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            fn from_str(text: &str) -> Result<Self, String> {
                match text {
                    $($text => Ok(Self::$variant),)+
                    _ => Err(format!(
                        "must be one of: {}",
                        [$($text),+].join(", ")
                    )),
                }
            }
        }
    };
}

string_enum! {
    /// The kinds of record the audit log, the change events and the search index name.
    pub enum EntityType {
        /// An organisation.
        Organisation = "organisation",
        /// A member (a person).
        Member = "member",
        /// A membership in a group.
        Membership = "membership",
        /// A meeting.
        Meeting = "meeting",
        /// An agenda item of a meeting.
        AgendaItem = "agenda_item",
        /// A meeting's attendance list.
        Attendance = "attendance",
        /// A decision (or assignment).
        Decision = "decision",
        /// An indicator definition.
        Indicator = "indicator",
        /// A batch of indicator values.
        IndicatorValues = "indicator_values",
        /// An indicator's baselines and targets.
        IndicatorTargets = "indicator_targets",
        /// An action plan.
        ActionPlan = "action_plan",
        /// A revision of an action plan.
        ActionPlanRevision = "action_plan_revision",
        /// A consultation response to a revision.
        ConsultationResponse = "consultation_response",
        /// A webhook subscription.
        Webhook = "webhook",
        /// A signature of a meeting's minutes (justering).
        MinutesSignature = "minutes_signature",
        /// A file attached to a meeting, an agenda item, a decision or a plan revision.
        Attachment = "attachment",
        /// A progress report on an activity of an action plan.
        ActivityProgress = "activity_progress",
    }
}

#[cfg(test)]
mod tests {
    use super::EntityType;

    #[test]
    fn a_string_enum_spells_itself_the_same_everywhere() {
        for value in EntityType::ALL {
            assert_eq!(value.as_str().parse::<EntityType>(), Ok(*value));
            assert_eq!(value.to_string(), value.as_str());
            assert_eq!(
                serde_json::to_value(value).ok(),
                Some(serde_json::Value::String(value.as_str().to_owned()))
            );
        }
        assert!("nonsense".parse::<EntityType>().is_err());
    }

    #[test]
    fn the_document_lists_the_strings_not_the_variant_names() {
        let schema = serde_json::to_value(<EntityType as utoipa::PartialSchema>::schema())
            .unwrap_or_default();
        let listed: Vec<&str> = schema["enum"]
            .as_array()
            .map(|values| values.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        let expected: Vec<&str> = EntityType::ALL.iter().map(|v| v.as_str()).collect();
        assert_eq!(listed, expected);
    }
}
