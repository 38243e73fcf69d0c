use std::process::ExitCode;

use stats_consumer::Application;

#[actix_web::main]
async fn main() -> ExitCode {
    common::server::run_main("stats-consumer", |settings| async move {
        Application::build(settings).await?.run_until_stopped().await
    })
    .await
}
