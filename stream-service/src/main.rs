use std::process::ExitCode;

use stream_service::Application;

#[actix_web::main]
async fn main() -> ExitCode {
    common::server::run_main(
        "stream-service",
        stream_service::settings::check_config,
        |settings| async move { Application::build(settings).await?.run_until_stopped().await },
    )
    .await
}
