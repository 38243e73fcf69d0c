use std::process::ExitCode;

use catalog_service::Application;

#[actix_web::main]
async fn main() -> ExitCode {
    common::server::run_main(
        "catalog-service",
        catalog_service::settings::check_config,
        |settings| async move { Application::build(settings).await?.run_until_stopped().await },
    )
    .await
}
