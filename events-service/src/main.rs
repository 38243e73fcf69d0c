use std::process::ExitCode;

use events_service::Application;

// A multi-threaded runtime (one worker per core): the players' sockets
// run on it, so that pushing one announcement to 10,000 of them is not
// left to one thread. The HTTP API keeps actix's own worker threads.
#[tokio::main]
async fn main() -> ExitCode {
    common::server::run_main(
        "events-service",
        events_service::settings::check_config,
        |settings| async move { Application::build(settings).await?.run_until_stopped().await },
    )
    .await
}
