//! `client.air_waybills()`: real-time air-cargo lookups.

use tm_types::v4::{AirWaybill, AirWaybillRequest};

use super::Client;
use crate::{Error, Operation, Result};

/// Air waybill endpoints. Get one with [`Client::air_waybills`].
#[derive(Debug, Clone, Copy)]
pub struct AirWaybills<'a> {
    pub(crate) client: &'a Client,
}

impl AirWaybills<'_> {
    /// Looks up an air waybill now (`POST /awb`). The number is checked first as every official
    /// SDK does (3-digit airline prefix, optional space or hyphen, 8 digits): a malformed one is
    /// refused without a call.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client_v4(r#"{"meta":{"code":200,"message":"Request response is successful"},
    /// #   "data":{"awb_number":"172-56546685","origin":"LIN","destination":"MEX","flight_info":{"CV6684":{"depart_station":"LUX"}}}}"#);
    /// let awb = client.air_waybills().get("172-56546685").await?;
    /// assert_eq!(awb.destination.as_deref(), Some("MEX"));
    /// assert!(client.air_waybills().get("172-5654").await.unwrap_err().is_usage());
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, awb_number: &str) -> Result<AirWaybill> {
        let body = AirWaybillRequest::new(awb_number.trim());
        if !body.is_well_formed() {
            return Err(Error::invalid(
                "awb_number",
                format!(
                    "{awb_number:?} is not an air waybill number (3 digits, an optional space or hyphen, 8 digits)"
                ),
            ));
        }
        let op = Operation::V4AirWaybillsGet;
        let req = self.client.stack().json_request_at(op, &body)?;
        self.client.stack().execute(op, req).await
    }
}
