//! The fields of a Map state in Distributed mode: `Label`, `ToleratedFailure…`,
//! `ItemReader`, `ItemBatcher`, `ResultWriter` (AWS's developer guide, "Map state in
//! Distributed mode" and the pages of each field).

use serde_json::{Map, Value};

use crate::asl::parse::fields::KeyOrPath;
use crate::asl::parse::Parser;
use crate::asl::{Distributed, ItemBatcher, ItemReader, ResultWriter, Setting};

impl Parser {
    /// The distributed-mode settings of the Map state object `o` (`jsonata`: its language).
    pub(super) fn distributed(
        &mut self,
        o: &Map<String, Value>,
        processor: &Value,
        loc: &str,
        jsonata: bool,
    ) -> Distributed {
        let execution_type = processor
            .get("ProcessorConfig")
            .and_then(|c| c.get("ExecutionType"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let params_key = if jsonata { "Arguments" } else { "Parameters" };
        let item_reader = match o.get("ItemReader") {
            None => None,
            Some(Value::Object(r)) => {
                let rloc = format!("{loc}/ItemReader");
                let resource = self
                    .string_field(r, "Resource", &rloc)
                    .unwrap_or_default()
                    .to_string();
                let parameters = self.any_template(r, params_key, &rloc, jsonata);
                let cfg = match r.get("ReaderConfig") {
                    Some(Value::Object(c)) => c.clone(),
                    _ => Map::new(),
                };
                let cloc = format!("{rloc}/ReaderConfig");
                for key in cfg.keys() {
                    if !matches!(
                        key.as_str(),
                        "InputType"
                            | "CSVHeaderLocation"
                            | "CSVHeaders"
                            | "CSVDelimiter"
                            | "MaxItems"
                            | "MaxItemsPath"
                    ) {
                        self.schema(
                            &format!("{cloc}/{key}"),
                            format!("sfn-harness does not read the ReaderConfig field '{key}' yet"),
                        );
                    }
                }
                let text = |k: &str| cfg.get(k).and_then(Value::as_str).map(str::to_string);
                let csv_headers = cfg.get("CSVHeaders").and_then(Value::as_array).map(|a| {
                    a.iter()
                        .map(|h| h.as_str().map(str::to_string).unwrap_or_default())
                        .collect()
                });
                Some(ItemReader {
                    resource,
                    parameters,
                    input_type: text("InputType"),
                    csv_header_location: text("CSVHeaderLocation"),
                    csv_headers,
                    csv_delimiter: text("CSVDelimiter"),
                    max_items: self.setting(&cfg, "MaxItems", &cloc, jsonata),
                })
            }
            Some(_) => {
                self.schema(
                    &format!("{loc}/ItemReader"),
                    "The value for the field 'ItemReader' must be an OBJECT",
                );
                None
            }
        };
        let item_batcher = match o.get("ItemBatcher") {
            None => None,
            Some(Value::Object(b)) => {
                let bloc = format!("{loc}/ItemBatcher");
                Some(ItemBatcher {
                    max_items_per_batch: self.setting(b, "MaxItemsPerBatch", &bloc, jsonata),
                    max_input_bytes_per_batch: self.setting(
                        b,
                        "MaxInputBytesPerBatch",
                        &bloc,
                        jsonata,
                    ),
                    batch_input: self.any_template(b, "BatchInput", &bloc, jsonata),
                })
            }
            Some(_) => {
                self.schema(
                    &format!("{loc}/ItemBatcher"),
                    "The value for the field 'ItemBatcher' must be an OBJECT",
                );
                None
            }
        };
        let result_writer = match o.get("ResultWriter") {
            None => None,
            Some(Value::Object(w)) => {
                let wloc = format!("{loc}/ResultWriter");
                Some(ResultWriter {
                    resource: self.string_field(w, "Resource", &wloc).map(str::to_string),
                    parameters: self.any_template(w, params_key, &wloc, jsonata),
                    writer_config: w.get("WriterConfig").cloned(),
                })
            }
            Some(_) => {
                self.schema(
                    &format!("{loc}/ResultWriter"),
                    "The value for the field 'ResultWriter' must be an OBJECT",
                );
                None
            }
        };
        Distributed {
            label: o.get("Label").and_then(Value::as_str).map(str::to_string),
            execution_type,
            tolerated_failure_count: self.setting(o, "ToleratedFailureCount", loc, jsonata),
            tolerated_failure_percentage: self.setting(
                o,
                "ToleratedFailurePercentage",
                loc,
                jsonata,
            ),
            item_reader,
            item_batcher,
            result_writer,
        }
    }

    /// A payload template in either language.
    fn any_template(
        &mut self,
        o: &Map<String, Value>,
        key: &str,
        loc: &str,
        jsonata: bool,
    ) -> Option<Value> {
        if jsonata {
            self.jsonata_template(o, key, loc)
        } else {
            self.template(o, key, loc)
        }
    }

    /// A runtime setting `key` (a number, or a JSONata expression) or its `…Path` (JSONPath
    /// only). The value's range is checked when the Map runs, as AWS does (`ToleratedFailureCount
    /// cannot be negative` is a runtime error: `test_map_state_tolerated_failure_count_path[-1]`).
    fn setting(
        &mut self,
        o: &Map<String, Value>,
        key: &str,
        loc: &str,
        jsonata: bool,
    ) -> Option<Setting> {
        match self.key_or_path(o, key, loc)? {
            KeyOrPath::Key(v) => {
                if jsonata {
                    self.check_expressions(v, &format!("{loc}/{key}"));
                    return Some(Setting::Literal(v.clone()));
                }
                if v.is_number() {
                    Some(Setting::Literal(v.clone()))
                } else {
                    self.schema(
                        &format!("{loc}/{key}"),
                        format!("The value for the field '{key}' must be a NUMBER"),
                    );
                    None
                }
            }
            // JSONata has no `…Path` fields: the value is refused as a non-string would be.
            KeyOrPath::Path(path_key, v) => {
                let v = if jsonata { &Value::Null } else { v };
                self.reference_path(&path_key, v, loc).map(Setting::Path)
            }
            KeyOrPath::Neither => None,
        }
    }
}
