import { DemoView } from './demo-view';

export const metadata = { title: 'Demo flows · cpm-pf console' };

export default function DemoPage() {
  return <DemoView />;
}
