use std::process::ExitCode;

use gateway::Application;

#[actix_web::main]
async fn main() -> ExitCode {
    common::server::run_main(
        "gateway",
        gateway::settings::check_config,
        |settings| async move { Application::build(settings).await?.run_until_stopped().await },
    )
    .await
}
