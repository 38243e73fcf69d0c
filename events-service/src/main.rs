use std::process::ExitCode;

use events_service::Application;

#[actix_web::main]
async fn main() -> ExitCode {
    common::server::run_main("events-service", |settings| async move {
        Application::build(settings).await?.run_until_stopped().await
    })
    .await
}
