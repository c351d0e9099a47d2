"""The application's unit of work: every repository bound to one session.

It satisfies ``SystemUnitOfWork``, ``MarketingUnitOfWork``, ``WatcherUnitOfWork`` and
``LogisticUnitOfWork``, ``ReputationUnitOfWork`` alike (``users`` serves them all). The attributes are
annotated with the port types, not the SQL classes: a protocol's attributes are invariant,
so ``alerts: SqlAlertStore`` would not match ``alerts: AlertStore`` for a type checker.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from adolf.adapters.sqlalchemy.logistic_alerts import SqlLogisticAlertRepository
from adolf.adapters.sqlalchemy.logistic_articles import SqlArticleRepository, SqlClusterRepository
from adolf.adapters.sqlalchemy.logistic_stock import SqlFboStockRepository, SqlVelocityRepository
from adolf.adapters.sqlalchemy.logistic_tasks import SqlSupplyTaskRepository
from adolf.adapters.sqlalchemy.logistic_warehouse import SqlBrainRepository, SqlWarehouseRepository
from adolf.adapters.sqlalchemy.marketing_alert_queries import SqlAlertQueries
from adolf.adapters.sqlalchemy.marketing_campaigns import SqlCampaignRepository
from adolf.adapters.sqlalchemy.marketing_competitor_bids import SqlCompetitorBids
from adolf.adapters.sqlalchemy.marketing_history import SqlBidHistory
from adolf.adapters.sqlalchemy.marketing_recommendations import SqlRecommendationStore
from adolf.adapters.sqlalchemy.marketing_stats import SqlStatsRepository
from adolf.adapters.sqlalchemy.marketing_users import SqlUserDirectory
from adolf.adapters.sqlalchemy.outbox import SqlOutbox
from adolf.adapters.sqlalchemy.reputation_analyses import SqlAnalysisRepository
from adolf.adapters.sqlalchemy.reputation_analytics import SqlReputationAnalyticsRepository
from adolf.adapters.sqlalchemy.reputation_archive import SqlArchiveRepository
from adolf.adapters.sqlalchemy.reputation_items import SqlItemRepository
from adolf.adapters.sqlalchemy.reputation_responses import SqlResponseRepository
from adolf.adapters.sqlalchemy.system_repositories import (
    SqlAlertStore,
    SqlDeadLetters,
    SqlIdempotencyKeys,
    SqlTaskRuns,
)
from adolf.adapters.sqlalchemy.unit_of_work import SqlUnitOfWork
from adolf.adapters.sqlalchemy.watcher_agents import SqlAgentRepository
from adolf.adapters.sqlalchemy.watcher_alerts import SqlWatcherAlertRepository
from adolf.adapters.sqlalchemy.watcher_catalog import SqlCatalogRepository
from adolf.adapters.sqlalchemy.watcher_prices import SqlPriceRepository
from adolf.adapters.sqlalchemy.watcher_tasks import SqlParsingTaskRepository
from adolf.application.logistic.ports import (
    ArticleRepository,
    BrainRepository,
    ClusterRepository,
    FboStockRepository,
    LogisticAlertRepository,
    SupplyTaskRepository,
    VelocityRepository,
    WarehouseRepository,
)
from adolf.application.marketing.ports import (
    AlertQueries,
    BidHistoryRepository,
    CampaignRepository,
    CompetitorBidsSource,
    RecommendationStore,
    StatsRepository,
    UserDirectory,
)
from adolf.application.ports.alerts import AlertStore
from adolf.application.ports.dead_letters import DeadLetters
from adolf.application.ports.idempotency import IdempotencyKeys
from adolf.application.ports.outbox import Outbox
from adolf.application.reputation.ports import (
    AnalysisRepository,
    ArchiveRepository,
    ItemRepository,
    ReputationAnalyticsRepository,
    ResponseRepository,
)
from adolf.application.watcher.ports import (
    AgentRepository,
    CatalogRepository,
    ParsingTaskRepository,
    PriceRepository,
    WatcherAlertRepository,
)


class AppSqlUnitOfWork(SqlUnitOfWork):
    dead_letters: DeadLetters
    alerts: AlertStore
    idempotency: IdempotencyKeys
    outbox: Outbox
    task_runs: SqlTaskRuns
    campaigns: CampaignRepository
    bid_history: BidHistoryRepository
    stats: StatsRepository
    alert_queries: AlertQueries
    competitor_bids: CompetitorBidsSource
    users: UserDirectory
    recommendations: RecommendationStore
    watcher_catalog: CatalogRepository
    watcher_prices: PriceRepository
    watcher_tasks: ParsingTaskRepository
    watcher_agents: AgentRepository
    watcher_alerts: WatcherAlertRepository
    logistic_articles: ArticleRepository
    logistic_clusters: ClusterRepository
    logistic_stock: FboStockRepository
    logistic_velocity: VelocityRepository
    logistic_brain: BrainRepository
    logistic_warehouse: WarehouseRepository
    logistic_tasks: SupplyTaskRepository
    logistic_alerts: LogisticAlertRepository
    reputation_items: ItemRepository
    reputation_analyses: AnalysisRepository
    reputation_responses: ResponseRepository
    reputation_analytics: ReputationAnalyticsRepository
    reputation_archive: ArchiveRepository

    def _attach(self, session: Session) -> None:
        self.dead_letters = SqlDeadLetters(session)
        self.alerts = SqlAlertStore(session)
        self.idempotency = SqlIdempotencyKeys(session)
        self.outbox = SqlOutbox(session)
        self.task_runs = SqlTaskRuns(session)
        self.campaigns = SqlCampaignRepository(session)
        self.bid_history = SqlBidHistory(session)
        self.stats = SqlStatsRepository(session)
        self.alert_queries = SqlAlertQueries(session)
        self.competitor_bids = SqlCompetitorBids(session)
        self.users = SqlUserDirectory(session)
        self.recommendations = SqlRecommendationStore(session)
        self.watcher_catalog = SqlCatalogRepository(session)
        self.watcher_prices = SqlPriceRepository(session)
        self.watcher_tasks = SqlParsingTaskRepository(session)
        self.watcher_agents = SqlAgentRepository(session)
        self.watcher_alerts = SqlWatcherAlertRepository(session)
        self.logistic_articles = SqlArticleRepository(session)
        self.logistic_clusters = SqlClusterRepository(session)
        self.logistic_stock = SqlFboStockRepository(session)
        self.logistic_velocity = SqlVelocityRepository(session)
        self.logistic_brain = SqlBrainRepository(session)
        self.logistic_warehouse = SqlWarehouseRepository(session)
        self.logistic_tasks = SqlSupplyTaskRepository(session)
        self.logistic_alerts = SqlLogisticAlertRepository(session)
        self.reputation_items = SqlItemRepository(session)
        self.reputation_analyses = SqlAnalysisRepository(session)
        self.reputation_responses = SqlResponseRepository(session)
        self.reputation_analytics = SqlReputationAnalyticsRepository(session)
        self.reputation_archive = SqlArchiveRepository(session)
