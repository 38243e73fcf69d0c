mod announcements;
mod broker;
mod helpers;
mod live;
mod outage;
mod protocol;
mod publishing;
