/// K2's API error body: `{"error_code":<status>,"error_message":"..."}` (k2-api.md §8).
package struct ErrorResponse: Encodable, Sendable {
    package var error_code: Int
    package var error_message: String

    /// `status` is the HTTP status the body goes out with.
    package init(status: Int, message: String) {
        error_code = status
        error_message = message
    }
}
