import {
  AlertOutlined,
  ApiOutlined,
  AppstoreOutlined,
  BugOutlined,
  CalendarOutlined,
  CloudOutlined,
  ClusterOutlined,
  CodeOutlined,
  CustomerServiceOutlined,
  DatabaseOutlined,
  DesktopOutlined,
  DownloadOutlined,
  FileTextOutlined,
  FolderOutlined,
  KeyOutlined,
  LaptopOutlined,
  LockOutlined,
  MailOutlined,
  MobileOutlined,
  PhoneOutlined,
  PrinterOutlined,
  QuestionCircleOutlined,
  RocketOutlined,
  SafetyOutlined,
  SettingOutlined,
  ShoppingCartOutlined,
  TeamOutlined,
  ToolOutlined,
  UserAddOutlined,
  WifiOutlined,
} from '@ant-design/icons';
import type { CatalogIconName } from '@opsloom/spec';
import type { ComponentType, CSSProperties } from 'react';

/**
 * The catalog's icons (spec's CATALOG_ICONS) as the portal's cards and the designer's icon picker
 * draw them: one table, so what the admin picks is what the requester sees.
 */
export const CATALOG_ICON_COMPONENTS: Record<CatalogIconName, ComponentType<{ style?: CSSProperties }>> = {
  alert: AlertOutlined,
  api: ApiOutlined,
  appstore: AppstoreOutlined,
  bug: BugOutlined,
  calendar: CalendarOutlined,
  cloud: CloudOutlined,
  cluster: ClusterOutlined,
  code: CodeOutlined,
  'customer-service': CustomerServiceOutlined,
  database: DatabaseOutlined,
  desktop: DesktopOutlined,
  download: DownloadOutlined,
  file: FileTextOutlined,
  folder: FolderOutlined,
  key: KeyOutlined,
  laptop: LaptopOutlined,
  lock: LockOutlined,
  mail: MailOutlined,
  mobile: MobileOutlined,
  phone: PhoneOutlined,
  printer: PrinterOutlined,
  question: QuestionCircleOutlined,
  rocket: RocketOutlined,
  safety: SafetyOutlined,
  setting: SettingOutlined,
  shopping: ShoppingCartOutlined,
  team: TeamOutlined,
  tool: ToolOutlined,
  'user-add': UserAddOutlined,
  wifi: WifiOutlined,
};

/** An item's icon, else its category's, else the catalog's default. */
export function CatalogIcon({ name, style }: { name?: string | null; style?: CSSProperties }) {
  const Icon = (name && CATALOG_ICON_COMPONENTS[name as CatalogIconName]) || AppstoreOutlined;
  return <Icon style={style} />;
}
